"""The reader's language comes from the address alone: /es/… is Spanish, an address without a
language prefix is in the default language (settings.LANGUAGE_CODE), and the admin is in the
default language too.

Django's LocaleMiddleware would also read the browser's Accept-Language and cookie for
addresses without a prefix, and add ``Vary: Accept-Language`` to every such response. Here
a page's language never depends on the request's headers, so a cache in front (Varnish, a
CDN) keeps one copy of each address, and readers switch with the language switcher.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class AddressLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = translation.get_language_from_path(request.path_info)
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        # The response is rendered: leave the thread in the default language, so whatever it
        # runs next (another request's early middleware, a test) does not inherit this one's.
        translation.deactivate()
        return response


def address_language(path: str) -> str:
    """The language of a page at this path (the page cache's key holds it)."""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE
