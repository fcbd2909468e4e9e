import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the content types, and with them the permissions the roles hold and the admin
    history, by moving them to the new app."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in ('reviewrequest', 'signoff', 'reviewreminder'):
        if not content_types.filter(app_label="editorial", model=model).exists():
            content_types.filter(app_label="reviewers", model=model).update(app_label="editorial")


def move_content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    for model in ('reviewrequest', 'signoff', 'reviewreminder'):
        if not content_types.filter(app_label="reviewers", model=model).exists():
            content_types.filter(app_label="editorial", model=model).update(app_label="reviewers")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ('articles', '0011_article_live_published_at'),
        ('reviewers', '0006_move_review_work_to_editorial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables keep their names (db_table): no row is copied or changed.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReviewRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('due_on', models.DateField(blank=True, null=True, verbose_name='due')),
                        ('note', models.TextField(blank=True, help_text='What the reviewer should look at.')),
                        ('publish_on_approval', models.BooleanField(default=False, help_text='Publish the approved content as soon as the reviewer approves it.')),
                        ('status', models.CharField(choices=[('open', 'In review'), ('decided', 'Decided'), ('cancelled', 'Cancelled')], default='open', max_length=16)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='review_requests', to='articles.article')),
                        ('requested_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='review_requests', to='reviewers.reviewer')),
                    ],
                    options={
                        'verbose_name': 'review',
                        'db_table': 'reviewers_reviewrequest',
                        'ordering': ['-created_at', '-pk'],
                        'permissions': [('sign_off', 'Can approve or request changes on reviews assigned to them')],
                    },
                ),
                migrations.CreateModel(
                    name='ReviewReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('due_soon', 'Due soon'), ('due_today', 'Due today'), ('overdue', 'Overdue (to the editors)')], max_length=16)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('recipients', models.TextField(blank=True, help_text='Email addresses, comma-separated; empty when nobody had one.')),
                        ('review_request', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='editorial.reviewrequest')),
                    ],
                    options={
                        'db_table': 'reviewers_reviewreminder',
                        'ordering': ['-sent_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SignOff',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('decision', models.CharField(choices=[('approved', 'Approved'), ('changes_requested', 'Changes requested')], max_length=24)),
                        ('notes', models.TextField(blank=True)),
                        ('checklist', models.JSONField(blank=True, default=dict)),
                        ('reviewed_on', models.DateField()),
                        ('content_fingerprint', models.CharField(max_length=64)),
                        ('content', models.JSONField(help_text='The content reviewed, for diffs and audits.')),
                        ('is_imported', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('article', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sign_offs', to='articles.article')),
                        ('decided_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('review_request', models.OneToOneField(blank=True, help_text='Empty for imported approvals.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sign_off', to='editorial.reviewrequest')),
                        ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sign_offs', to='reviewers.reviewer')),
                    ],
                    options={
                        'verbose_name': 'sign-off',
                        'db_table': 'reviewers_signoff',
                        'ordering': ['-created_at', '-pk'],
                        'get_latest_by': 'created_at',
                    },
                ),
                migrations.AddConstraint(
                    model_name='reviewrequest',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'open')), fields=('article',), name='review_request_one_open_per_article'),
                ),
                migrations.AddConstraint(
                    model_name='reviewrequest',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['open', 'decided', 'cancelled'])), name='review_request_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='reviewreminder',
                    constraint=models.UniqueConstraint(fields=('review_request', 'kind'), name='review_reminder_once_per_kind'),
                ),
                migrations.AddConstraint(
                    model_name='reviewreminder',
                    constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['due_soon', 'due_today', 'overdue'])), name='review_reminder_kind_valid'),
                ),
                migrations.AddConstraint(
                    model_name='signoff',
                    constraint=models.CheckConstraint(condition=models.Q(('decision__in', ['approved', 'changes_requested'])), name='sign_off_decision_valid'),
                ),
                migrations.AddConstraint(
                    model_name='signoff',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('decision', 'changes_requested'), _negated=True), models.Q(('notes', ''), _negated=True), _connector='OR'), name='sign_off_changes_requested_has_notes'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
