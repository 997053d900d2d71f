"""URLs of escalation records (surveillance namespace)."""

from django.urls import path

from surveillance.escalation import views as v

urlpatterns = [
    path("escalations/", v.escalation_index, name="escalation-index"),
    path("escalations/groups/<int:qsg_pk>/", v.escalation_group, name="escalation-group"),
    path("escalations/<int:pk>/", v.escalation_detail, name="escalation-detail"),
    path("escalations/<int:pk>/decide/", v.escalation_decide, name="escalation-decide"),
    path(
        "escalations/providers/<int:provider_pk>/new/",
        v.escalation_start,
        name="escalation-start",
    ),
]
