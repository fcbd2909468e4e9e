import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import django.utils.timezone
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the content types, and with them the permissions the roles hold and the admin
    history, by moving them to the new app."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in ('feedback',):
        if not content_types.filter(app_label="feedback", model=model).exists():
            content_types.filter(app_label="articles", model=model).update(app_label="feedback")


def move_content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in ('feedback',):
        if not content_types.filter(app_label="articles", model=model).exists():
            content_types.filter(app_label="feedback", model=model).update(app_label="articles")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('articles', '0012_move_feedback_to_its_app'),
    ]

    operations = [
        # The tables keep their names (db_table): no row is copied or changed.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('helpful', models.BooleanField()),
                        ('comment', models.TextField(blank=True, max_length=1000)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                        ('client_hash', models.CharField(editable=False, max_length=64)),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='articles.article')),
                        ('version', models.ForeignKey(blank=True, help_text='The version the reader was shown.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='feedback', to='articles.publishedversion')),
                    ],
                    options={
                        'verbose_name_plural': 'feedback',
                        'db_table': 'articles_feedback',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['article', '-created_at'], name='feedback_article_recent_idx')],
                        'constraints': [models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('comment'), 1000), name='feedback_comment_length')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
