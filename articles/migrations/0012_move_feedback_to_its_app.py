from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_article_live_published_at"),
    ]

    # The table stays (feedback.Feedback names it): only the app that owns the model changes.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Feedback")],
            database_operations=[],
        ),
    ]
