from django.urls import path

from .router import router
from .views import me, obtain_token

app_name = "api"

urlpatterns = [
    path("auth/token/", obtain_token, name="auth-token"),
    path("me/", me, name="me"),
    *router.urls,
]
