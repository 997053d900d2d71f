from django.urls import include, path

app_name = "surveillance"

urlpatterns: list = [
    path("", include("surveillance.meetings.urls")),
    path("", include("surveillance.packs.urls")),
    path("", include("surveillance.intelligence.urls")),
    path("", include("surveillance.regional.urls")),
    path("", include("surveillance.escalation.urls")),
]
