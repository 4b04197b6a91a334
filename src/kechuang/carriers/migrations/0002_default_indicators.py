from django.db import migrations


def load(apps, schema_editor):
    from kechuang.carriers.default_indicators import seed

    seed(apps.get_model("carriers", "ReportIndicator"))


class Migration(migrations.Migration):
    dependencies = [("carriers", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
