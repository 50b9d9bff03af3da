"""Create the index-version row up front, so concurrent first bank changes never race to insert it."""

from django.db import migrations


def create_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("banks", "IndexVersion").objects.get_or_create(id=1, defaults={"version": 0})


class Migration(migrations.Migration):
    dependencies = [("banks", "0001_initial")]
    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
