from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0006_move_review_work_to_editorial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewer",
            name="photo_renditions",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
