from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("documents", "DocumentType").objects.update_or_create(
        code="GƯTĐ", defaults={"name": "Giao ước thi đua", "is_letter": False, "is_official": False})


def backwards(apps, schema_editor):
    apps.get_model("documents", "DocumentType").objects.filter(code="GƯTĐ").delete()


class Migration(migrations.Migration):
    dependencies = [("covenants", "0001_initial"), ("documents", "0002_default_document_types")]
    operations = [migrations.RunPython(forwards, backwards)]
