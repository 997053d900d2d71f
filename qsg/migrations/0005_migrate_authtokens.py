"""DRF's never-expiring tokens become named, hashed tokens that expire 30 days from now.

They keep working (read and write, as before) until then, so scripts have a month to move to a
token made on the account page; the raw keys are then deleted from DRF's table. A token of an
account that must use a second factor is refused at use (it was made with a password alone),
which `qsg.accounts.authentication` decides at each request. Nothing happens on a database
that never had DRF's token table (a new installation).
"""

import hashlib
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

TABLE = "authtoken_token"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("qsg", "ApiToken")
    AccountEvent = apps.get_model("qsg", "AccountEvent")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    expires = timezone.now() + timedelta(days=30)
    for key, user_id, created in rows:
        ApiToken.objects.create(
            user_id=user_id,
            name="Token from before named tokens",
            prefix=key[:6],
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            scope="read_write",
            origin="migrated",
            two_factor_verified=False,
            created_at=created,
            expires_at=expires,
        )
        AccountEvent.objects.create(
            user_id=user_id,
            kind="token_created",
            detail="carried over from the old token; expires in 30 days",
        )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("qsg", "0004_accounts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
