from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_feedback_renditions"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="related_article_ids",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
