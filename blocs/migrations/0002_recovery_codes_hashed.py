"""Recovery codes stored before this migration were django-otp's plain text: each becomes the
digest blocs.two_factor.recovery_digest computes (the same algorithm, frozen here). The codes
people hold keep working; the database no longer holds a code that passes the second step."""

import base64
import hashlib

from django.db import migrations

DIGEST_LENGTH = 16  # base64url of 12 bytes; the plain codes are 8 characters


def _digest(user_id: int, code: str) -> str:
    salt = f"khoi-portal:recovery-code:{user_id}".encode()
    digest = hashlib.scrypt(code[:64].encode(), salt=salt, n=2**14, r=8, p=1, dklen=12)
    return base64.urlsafe_b64encode(digest).decode("ascii")


def forwards(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    plain = StaticToken.objects.select_related("device").exclude(token__regex=r"^.{16}$")
    for token in plain.iterator():
        token.token = _digest(token.device.user_id, token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("blocs", "0001_initial"),
        ("otp_static", "0003_add_timestamps"),
    ]

    # Backwards: the digests stay (a code cannot be recovered from its digest).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
