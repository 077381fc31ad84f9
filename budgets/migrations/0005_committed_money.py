"""Committed money per fiscal year and group (``budgets.CommittedMoney``); migration 0006
installs the PostgreSQL triggers that keep it and fills it (the unique index they upsert on
exists only once this migration has run)."""


from decimal import Decimal

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0004_allocation_spent"),
        ("ideas", "0015_stage_counts"),
        ("journeys", "0002_default_journey"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommittedMoney",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("innovation_type", models.CharField(max_length=24)),
                ("type_confirmed", models.BooleanField()),
                ("horizon", models.CharField(max_length=16)),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                ),
                (
                    "spent",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                ),
                ("allocations", models.IntegerField(default=0)),
                (
                    "campaign",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ideas.campaign",
                    ),
                ),
                (
                    "fiscal_year",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="budgets.fiscalyear",
                    ),
                ),
                (
                    "stage",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="journeys.stage",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        models.F("fiscal_year"),
                        django.db.models.functions.comparison.Coalesce(
                            models.F("stage"), models.Value(0)
                        ),
                        django.db.models.functions.comparison.Coalesce(
                            models.F("campaign"), models.Value(0)
                        ),
                        models.F("innovation_type"),
                        models.F("type_confirmed"),
                        models.F("horizon"),
                        name="committedmoney_key",
                    )
                ],
            },
        ),
    ]
