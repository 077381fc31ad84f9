"""Existing DRF tokens (``authtoken_token``, plain keys) become ``ApiToken`` rows (hashed
keys) that keep working, expiring API_TOKEN_TTL_DAYS after this migration; the old table,
which holds usable keys in clear, is dropped."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    User = apps.get_model("accounts", "User")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, created, user_id FROM {OLD_TABLE}")
        rows = cursor.fetchall()
    users = User.objects.in_bulk({user_id for _, _, user_id in rows})
    ttl = settings.API_TOKEN_TTL_DAYS
    now = timezone.now()
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                digest=hashlib.sha256(key.encode()).hexdigest(),
                prefix=key[:8],
                # The historical model has no methods; the hash needs only the password.
                auth_hash=AbstractBaseUser.get_session_auth_hash(users[user_id]),
                created=created or now,
                expires=now + timedelta(days=ttl) if ttl > 0 else None,
            )
            for key, created, user_id in rows
            if user_id in users
        ]
    )
    schema_editor.execute(f"DROP TABLE {OLD_TABLE}")
    # rest_framework.authtoken is no longer installed: forget its migrations too.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_api_token")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
