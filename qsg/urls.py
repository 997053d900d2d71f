"""The project's URL configuration: pages of each app, the API and its schema."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("qsg.page_urls")),
    path("dashboard/", include("dashboard.urls")),
    path("", include("surveillance.urls")),
    path("risk-summits/", include("risksummits.urls")),
    path("api/v1/", include("qsg.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles from its scripts; scripts stay nonce-only.
    path(
        "api/docs/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

handler400 = "qsg.views.error_400"
handler403 = "qsg.views.error_403"
handler404 = "qsg.views.error_404"
handler500 = "qsg.views.error_500"
