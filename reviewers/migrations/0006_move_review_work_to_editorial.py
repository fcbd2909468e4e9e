from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviewers', '0005_editors_see_feedback'),
    ]

    operations = [
        # The tables stay where they are (editorial's models name them): only the record of
        # which app owns the models changes, so no row is copied or changed.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='reviewrequest',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='reviewrequest',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='reviewrequest',
                    name='reviewer',
                ),
                migrations.RemoveField(
                    model_name='signoff',
                    name='review_request',
                ),
                migrations.RemoveField(
                    model_name='signoff',
                    name='article',
                ),
                migrations.RemoveField(
                    model_name='signoff',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='signoff',
                    name='reviewer',
                ),
                migrations.DeleteModel(
                    name='ReviewReminder',
                ),
                migrations.DeleteModel(
                    name='ReviewRequest',
                ),
                migrations.DeleteModel(
                    name='SignOff',
                ),
            ],
            database_operations=[],
        ),
    ]
