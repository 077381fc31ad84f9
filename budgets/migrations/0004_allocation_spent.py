from decimal import Decimal

from django.db import migrations, models

# Fill the new column from the spends (portable SQL: a correlated subquery).
FILL = """
UPDATE budgets_allocation SET spent = COALESCE(
    (SELECT SUM(s.amount) FROM budgets_spend s WHERE s.allocation_id = budgets_allocation.id), 0
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0003_fiscal_year_horizon_targets"),
    ]

    operations = [
        migrations.AddField(
            model_name="allocation",
            name="spent",
            field=models.DecimalField(
                db_default=Decimal("0.00"),
                decimal_places=2,
                default=Decimal("0.00"),
                max_digits=14,
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name="allocation",
            constraint=models.CheckConstraint(
                condition=models.Q(("spent__gte", 0), ("spent__lte", models.F("amount"))),
                name="allocation_spent_within_amount",
            ),
        ),
    ]
