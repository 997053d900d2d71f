from django.urls import include, path

app_name = "surveillance"

urlpatterns: list = [
    path("", include("surveillance.urls_meetings")),
    path("", include("surveillance.urls_packs")),
    path("", include("surveillance.urls_intelligence")),
    path("", include("surveillance.urls_regional")),
]
