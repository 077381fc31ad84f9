from django.db import migrations

NAME = "Moderators"


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=NAME)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_audit_append_only_sqlite")]
    operations = [migrations.RunPython(create_group, remove_group)]
