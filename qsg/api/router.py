"""One router for /api/v1/. Each app registers its viewsets from its AppConfig.ready()."""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    include_format_suffixes = False


router = Router()
