from django import forms
from django.utils import timezone

from articles.models import Category
from editorial.models import Decision
from reviewers.models import Reviewer

REVIEWER_CHECKLIST = [
    ("accurate", "The content is medically accurate and up to date."),
    ("balanced", "Benefits and risks are presented in a balanced way."),
    ("sources_current", "The sources support the claims and are current."),
    ("safety_warnings", "Safety warnings and when to get help are present where needed."),
]


class SubmitForReviewForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        queryset=Reviewer.objects.active(),
        help_text="The medical reviewer who will approve or request changes.",
    )
    due_on = forms.DateField(
        label="Due",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: when the review should be done by.",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed and what the reviewer should look at. Shown in the history "
        "as the change summary if the content is published on approval.",
    )
    publish_on_approval = forms.BooleanField(
        required=False,
        help_text="Publish the approved content as soon as the reviewer approves it "
        "(editors only).",
    )


class DecisionForm(forms.Form):
    # The fingerprint of the content the reviewer was shown; see decide_review.
    content_fingerprint = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when you request changes: say what must change.",
    )
    # The signature (editorial.signatures): the statement shown, affirmed, and the password
    # or authenticator code, unless the reviewer confirmed who they are a few minutes ago.
    statement = forms.CharField(widget=forms.HiddenInput)
    affirm = forms.BooleanField(required=False)
    secret = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, statement: str, secret_label: str, **kwargs):
        kwargs.setdefault("initial", {})["statement"] = statement
        super().__init__(*args, **kwargs)
        self.fields["affirm"].label = statement
        self.fields["secret"].label = secret_label
        for name, label in REVIEWER_CHECKLIST:
            self.fields[f"check_{name}"] = forms.BooleanField(label=label, required=False)

    def signed_statement(self) -> str:
        """The statement, if the reviewer ticked it; the service checks it is current."""
        return self.cleaned_data["statement"] if self.cleaned_data.get("affirm") else ""

    def checklist(self) -> dict:
        return {
            name: self.cleaned_data.get(f"check_{name}", False) for name, _ in REVIEWER_CHECKLIST
        }

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("decision") == Decision.APPROVED:
            missing = [
                label for name, label in REVIEWER_CHECKLIST if not cleaned_data.get(f"check_{name}")
            ]
            if missing:
                raise forms.ValidationError(
                    "Confirm every item of the checklist before approving, or request changes "
                    "instead. Not confirmed: " + " ".join(missing)
                )
        if (
            cleaned_data.get("decision") == Decision.CHANGES_REQUESTED
            and not (cleaned_data.get("notes") or "").strip()
        ):
            self.add_error("notes", "Say what needs to change, so the writer can fix it.")
        return cleaned_data


class PublishForm(forms.Form):
    change_summary = forms.CharField(
        max_length=200,
        required=False,
        help_text="One line for the public Article history, e.g. “Added advice on sciatica”. "
        "Leave empty for “First published”.",
    )


class ScheduleForm(PublishForm):
    publish_at = forms.DateTimeField(
        label="Publish at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Local time. publish_scheduled publishes it at that time.",
    )

    def clean_publish_at(self):
        publish_at = self.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future, or publish now instead.")
        return publish_at


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the article is coming down; kept in the audit trail.",
    )


class DashboardFilterForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    reviewer = forms.ModelChoiceField(queryset=Reviewer.objects.all(), required=False)
