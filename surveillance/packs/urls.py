from django.urls import path

from surveillance.packs import views as v

urlpatterns = [
    path("meetings/<id:pk>/pack/", v.pack, name="pack"),
    path("meetings/<id:pk>/pack/make/", v.pack_make, name="pack-make"),
    path("meetings/<id:pk>/pack/settings/", v.pack_settings, name="pack-settings"),
    path("meetings/<id:pk>/pack/publish/", v.pack_publish, name="pack-publish"),
    path("meetings/<id:pk>/pack/jobs/<uuid:job_id>/", v.pack_job, name="pack-job"),
    path("meetings/<id:pk>/pack/jobs/<uuid:job_id>/retry/", v.pack_retry, name="pack-retry"),
    path(
        "meetings/<id:pk>/pack/files/<id:version_pk>/",
        v.pack_download,
        name="pack-download",
    ),
    path("meetings/<id:pk>/returns/", v.pack_returns, name="pack-returns"),
    path("meetings/<id:pk>/returns/mine/", v.member_return, name="member-return"),
]
