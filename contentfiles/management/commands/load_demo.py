import datetime
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext_noop

from articles.models import Article
from contentfiles.importer import ContentImportError, import_content
from reviewers.models import Reviewer

# The demo's dates (reviews, next reviews, publication, access dates) are written as of this
# day. load_demo moves them all by the days since, so on any day the demo shows what it showed
# then: two articles overdue for review, two due within 30 days, one due within a week.
DEMO_DATES_AS_OF = datetime.date(2026, 12, 3)
FRONT_MATTER_DATE = re.compile(r"^(\s*(?:- )?\s*[a-z_]+: )(\d{4}-\d{2}-\d{2})(\s*)$", re.MULTILINE)

# The demo sources' own trust labels, for the translation catalogue, so a Spanish page shows
# them in Spanish (Source.reader_trust_label).
DEMO_TRUST_LABELS = (
    gettext_noop("Highly respected database from the National Institutes of Health"),
    gettext_noop("Global public health authority"),
)

# Earlier versions of some demo articles (same layout as demo/content/): loaded first, once.
DEMO_EARLIER = settings.BASE_DIR / "demo" / "earlier"

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "healthsite-demo"
# One account per editorial role, to try the review workflow; the reviewer account signs in
# as the demo reviewer who reviews the sleep articles.
DEMO_ROLE_ACCOUNTS = [
    ("editor", "Editor", None),
    ("writer", "Writer", None),
    ("reviewer", "Medical reviewer", "helena-marwick"),
]


class Command(BaseCommand):
    help = (
        "Load the bundled demo content (demo/content/); running it again changes nothing. "
        "In development (DEBUG on) or with --with-admin, also make sure a superuser "
        f"'{ADMIN_USERNAME}' exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-admin",
            action="store_true",
            help=f"Create the '{ADMIN_USERNAME}' superuser with the published demo password "
            "even when DEBUG is off. Never use this on a site others can reach.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load the demo content only when the database has no articles yet.",
        )

    def handle(self, *args, with_admin, if_empty, verbosity, **options):
        if if_empty and Article.objects.exists():
            self.stdout.write("The database already has articles; demo content not loaded.")
        else:
            with tempfile.TemporaryDirectory(prefix="healthsite-demo-") as copy:
                directory = demo_content_as_of_today(Path(copy) / "content")
                try:
                    self._load_earlier_versions(Path(copy) / "earlier")
                    report = import_content(
                        directory=directory, stdout=self.stdout if verbosity > 1 else None
                    )
                except ContentImportError as error:
                    raise CommandError(str(error)) from error
            for line in report.lines():
                self.stdout.write(line)

        if not (settings.DEBUG or with_admin):
            self.stdout.write(
                "No demo admin account: DEBUG is off. Use createsuperuser, or --with-admin "
                "on a machine nobody else can reach."
            )
            return
        self._ensure_demo_accounts()

    def _load_earlier_versions(self, copy: Path) -> None:
        """On the first load, import the demo as it was before the articles in demo/earlier/
        changed, so the import that follows publishes their newer version: a translation
        made from the earlier one is then out of date, as the demo means it to be."""
        earlier = {path.stem for path in (DEMO_EARLIER / "articles").glob("*.md")}
        if not earlier or Article.objects.filter(slug__in=earlier).exists():
            return
        import_content(directory=demo_content_as_of_today(copy, overlay=DEMO_EARLIER))

    def _ensure_demo_accounts(self):
        user_model = get_user_model()
        if user_model.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                f"Demo admin: user '{ADMIN_USERNAME}' already existed; "
                "its password was left unchanged."
            )
        else:
            user_model.objects.create_superuser(ADMIN_USERNAME, email="", password=ADMIN_PASSWORD)
            self.stdout.write(
                f"Demo admin: http://127.0.0.1:8000/admin/  user: {ADMIN_USERNAME}  "
                f"password: {ADMIN_PASSWORD}"
            )
        created = []
        for username, role, reviewer_slug in DEMO_ROLE_ACCOUNTS:
            user, was_created = user_model.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "email": f"{username}@example.org"},
            )
            if was_created:
                user.set_password(ADMIN_PASSWORD)
                user.save()
                created.append(username)
            user.groups.add(Group.objects.get(name=role))
            if reviewer_slug:
                Reviewer.objects.filter(slug=reviewer_slug, user__isnull=True).update(user=user)
        if created:
            self.stdout.write(
                "Demo role accounts (same password): "
                + ", ".join(f"{u} ({r})" for u, r, _ in DEMO_ROLE_ACCOUNTS)
            )


def demo_content_as_of_today(
    copy: Path, *, today: datetime.date | None = None, overlay: Path | None = None
) -> Path:
    """Copy the demo content to ``copy`` (with the files of ``overlay`` in place of theirs)
    with every front-matter date moved by the days between DEMO_DATES_AS_OF and today."""
    shutil.copytree(settings.BASE_DIR / "demo" / "content", copy)
    if overlay is not None:
        shutil.copytree(overlay, copy, dirs_exist_ok=True)
    shift = (today or timezone.localdate()) - DEMO_DATES_AS_OF

    def moved(match: re.Match) -> str:
        day = datetime.date.fromisoformat(match[2]) + shift
        return f"{match[1]}{day.isoformat()}{match[3]}"

    for path in copy.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---"):
            continue
        end = text.find("\n---", 3)
        if end == -1:
            continue
        front = FRONT_MATTER_DATE.sub(moved, text[:end])
        path.write_text(front + text[end:], encoding="utf-8")
    return copy
