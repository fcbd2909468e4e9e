"""Citation integrity at the moment of saving: every [^key] in a body has its citation."""

from django.core.exceptions import ValidationError

from articles.markdown import unknown_citation_keys


def check_citation_markers(*, body: str, citation_keys) -> None:
    """Raise a ValidationError naming each [^key] in the body that has no citation."""
    unknown = unknown_citation_keys(body, citation_keys)
    if not unknown:
        return
    listed = ", ".join(f"[^{key}]" for key in unknown)
    raise ValidationError(
        "The body cites %(listed)s, but this article has no citation with %(that_key)s. "
        "Add a citation with %(that_key)s, or correct the marker in the body.",
        code="unknown_citation_key",
        params={
            "listed": listed,
            "that_key": "that key" if len(unknown) == 1 else "those keys",
        },
    )
