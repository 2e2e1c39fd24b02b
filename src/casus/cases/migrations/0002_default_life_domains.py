"""Give every existing cell the default life domains (new cells get them at creation)."""

from django.db import migrations

CODES = (
    "family",
    "education_work",
    "health",
    "social",
    "convictions",
    "online",
    "housing_income",
    "justice",
)


def add_defaults(apps, schema_editor):
    Cell = apps.get_model("access", "Cell")
    LifeDomain = apps.get_model("cases", "LifeDomain")
    for cell in Cell.objects.all():
        for position, code in enumerate(CODES):
            LifeDomain.objects.get_or_create(cell=cell, code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
