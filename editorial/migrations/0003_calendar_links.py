import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
import hashlib

from django.db import migrations, models


def keep_existing_links(apps, schema_editor):
    """Calendar links reviewers already use keep working: their secret is kept as a hash."""
    db = schema_editor.connection.alias
    Reviewer = apps.get_model("reviewers", "Reviewer")
    CalendarLink = apps.get_model("editorial", "CalendarLink")
    CalendarLink.objects.using(db).bulk_create(
        CalendarLink(
            reviewer_id=pk, token_hash=hashlib.sha256(token.encode()).hexdigest()
        )  # as editorial.calendar_feed.token_hash
        for pk, token in Reviewer.objects.using(db).values_list("pk", "calendar_token")
        if token
    )


class Migration(migrations.Migration):

    dependencies = [
        ('editorial', '0002_roles'),
        ('reviewers', '0007_reviewer_photo_renditions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='made')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('reviewer', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='calendar_link', to='reviewers.reviewer')),
            ],
        ),
        migrations.RunPython(keep_existing_links, migrations.RunPython.noop),
    ]
