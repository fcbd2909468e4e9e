"""What a test passes to decide_review so the decision is signed (editorial.signatures)."""


def signed(review_request, user) -> dict:
    return {}
