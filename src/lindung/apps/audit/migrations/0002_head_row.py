"""Create the audit head row up front, so concurrent first entries lock it instead of racing."""

from django.db import migrations


def create_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("audit", "AuditHead").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
