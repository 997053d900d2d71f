from django.urls import path

from surveillance.packs import views as v

urlpatterns = [
    path("meetings/<int:pk>/pack/", v.pack, name="pack"),
    path("meetings/<int:pk>/pack/make/", v.pack_make, name="pack-make"),
    path("meetings/<int:pk>/pack/settings/", v.pack_settings, name="pack-settings"),
    path("meetings/<int:pk>/pack/publish/", v.pack_publish, name="pack-publish"),
    path("meetings/<int:pk>/pack/jobs/<uuid:job_id>/", v.pack_job, name="pack-job"),
    path("meetings/<int:pk>/pack/jobs/<uuid:job_id>/retry/", v.pack_retry, name="pack-retry"),
    path(
        "meetings/<int:pk>/pack/files/<int:version_pk>/",
        v.pack_download,
        name="pack-download",
    ),
    path("meetings/<int:pk>/returns/", v.pack_returns, name="pack-returns"),
    path("meetings/<int:pk>/returns/mine/", v.member_return, name="member-return"),
]
