"""URLs of escalation records (surveillance namespace)."""

from django.urls import path

from surveillance.escalation import views as v

urlpatterns = [
    path("escalations/", v.escalation_index, name="escalation-index"),
    path("escalations/groups/<id:qsg_pk>/", v.escalation_group, name="escalation-group"),
    path("escalations/<id:pk>/", v.escalation_detail, name="escalation-detail"),
    path("escalations/<id:pk>/decide/", v.escalation_decide, name="escalation-decide"),
    path(
        "escalations/providers/<id:provider_pk>/new/",
        v.escalation_start,
        name="escalation-start",
    ),
    path(
        "escalations/conclusions/<id:pk>/propose/",
        v.escalation_propose,
        name="escalation-propose",
    ),
]
