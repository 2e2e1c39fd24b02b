import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="SubjectKey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("case", "Case"), ("signal", "Signal"), ("cell", "Cell")], max_length=8)),
                ("ref_id", models.PositiveBigIntegerField()),
                ("wrapped", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("destroyed_at", models.DateTimeField(blank=True, null=True)),
                ("cell", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="access.cell")),
            ],
            options={
                "verbose_name": "subject key",
                "verbose_name_plural": "subject keys",
                "constraints": [models.UniqueConstraint(fields=("kind", "ref_id"), name="privacy_subject_key_unique")],
            },
        ),
    ]
