from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0005_item_batch_no_index")]

    operations = [
        migrations.AddField(
            model_name="feedbackitem",
            name="import_digest",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
    ]
