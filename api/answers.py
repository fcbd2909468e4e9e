"""How every answer of the API is sent: JSON validated against its schema (articles' parts
when they are built, api/fragments.py), with the attribution, validators for conditional
requests and the caching rules.

Caching: the content is public and reviewed, but every request must reach us to check its
key, count it and apply its rate limit, and the attribution in the body is the consumer's.
So answers are ``Cache-Control: public, max-age=0, must-revalidate`` with
``Vary: Authorization``: a shared cache (Varnish, a CDN) may keep a copy per key and must
ask us each time, and we answer 304 Not Modified from the ETag (a digest of the body) or
Last-Modified, which costs the partner no body. Errors are never stored (no-store).
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date


def attribution_for(key) -> str:
    return key.consumer.attribution or settings.API_ATTRIBUTION


def _headers(request, response) -> None:
    patch_vary_headers(response, ["Authorization"])
    left = getattr(request, "api_requests_left", None)
    key = getattr(request, "api_key", None)
    if key is not None and left is not None:
        response["X-RateLimit-Limit"] = str(key.rate_limit)
        response["X-RateLimit-Remaining"] = str(left)


def json_answer(request, schema, payload: dict, *, last_modified=None) -> HttpResponse:
    """The payload as JSON in ``schema``'s shape, or 304 when the client's copy is current."""
    body = schema.model_validate(payload).model_dump_json()
    return body_answer(request, body, last_modified=last_modified)


def body_answer(request, body: str, *, last_modified=None) -> HttpResponse:
    """A JSON body already validated (api/fragments.py), or 304 when the client's copy is
    current."""
    etag = f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    _headers(request, response)
    return response


def error_answer(message: str, *, status: int) -> HttpResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response
