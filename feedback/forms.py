from django import forms

from feedback.models import FEEDBACK_COMMENT_MAX_LENGTH


class FeedbackForm(forms.Form):
    """A reader's answer to "Was this helpful?", as the article page's form sends it."""

    helpful = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": "Choose “Yes” or “No” to tell us whether the article helped.",
            "invalid_choice": "Choose “Yes” or “No” to tell us whether the article helped.",
        },
    )
    comment = forms.CharField(required=False)

    def clean_comment(self):
        # Browsers count a line break as one character against the textarea's maxlength but
        # send it as two (CR LF); count it as the reader's browser did.
        comment = self.cleaned_data["comment"].replace("\r\n", "\n")
        if len(comment) > FEEDBACK_COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                "Your comment is %(length)s characters long; the limit is %(limit)s. "
                "Shorten it and send it again.",
                code="comment_too_long",
                params={"length": f"{len(comment):,}", "limit": f"{FEEDBACK_COMMENT_MAX_LENGTH:,}"},
            )
        return comment
