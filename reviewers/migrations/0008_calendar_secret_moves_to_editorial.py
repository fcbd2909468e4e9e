from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reviewers', '0007_reviewer_photo_renditions'),
        ('editorial', '0003_calendar_links'),  # copies the secrets first
    ]

    operations = [
        migrations.RemoveField(
            model_name='reviewer',
            name='calendar_token',
        ),
    ]
