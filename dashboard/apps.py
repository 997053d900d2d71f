from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_analyst_group(sender=None, **kwargs) -> None:
    """The Analysts group holds the dashboard's analyst permissions (after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    from qsg.demo import ANALYSTS_GROUP

    perms = Permission.objects.filter(
        content_type__app_label="dashboard",
        codename__in=["load_observations", "change_indicator", "add_indicator"],
    )
    if not perms.exists():
        return
    group, _ = Group.objects.get_or_create(name=ANALYSTS_GROUP)
    group.permissions.add(*perms)


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "National Quality Dashboard"

    def ready(self) -> None:
        post_migrate.connect(ensure_analyst_group, sender=self)
        from . import registry

        registry.register()
