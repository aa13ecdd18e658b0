from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone


def stamp_last_login(sender, user, **kwargs) -> None:
    """Django's ``update_last_login`` without ``save()``: one UPDATE of the column, no history
    row. Sign-ins are audited by django-axes (audit/sources/logins.py), and the audit log
    skipped these rows; but each one was a write to the blocs app, which changed its freshness
    token and emptied every cached page and lookup that depends on blocs at every sign-in."""
    user.last_login = timezone.now()
    type(user)._default_manager.filter(pk=user.pk).update(last_login=user.last_login)


class BlocsConfig(AppConfig):
    name = "blocs"
    verbose_name = "Khối thi đua"

    def ready(self) -> None:
        from khoi_portal import db

        db.connect()
        from blocs import dashboard, permissions  # noqa: F401  (register the dashboard provider, the rules)
        from khoi_portal import tasks_dashboard  # noqa: F401  (the year's tasks on the dashboard)

        # django.contrib.auth (earlier in INSTALLED_APPS) connected its own under this uid.
        user_logged_in.disconnect(dispatch_uid="update_last_login")
        user_logged_in.connect(stamp_last_login, dispatch_uid="update_last_login")
