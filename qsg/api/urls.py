from django.urls import path

from ..accounts.api import obtain_token
from .router import router
from .views import me

app_name = "api"

urlpatterns = [
    path("auth/token/", obtain_token, name="auth-token"),
    path("me/", me, name="me"),
    *router.urls,
]
