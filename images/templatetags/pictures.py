from django import template

register = template.Library()


def _srcset(storage, renditions) -> str:
    return ", ".join(f"{storage.url(r['name'])} {r['width']}w" for r in renditions)


@register.inclusion_tag("images/picture.html")
def picture(
    image,
    renditions=None,
    *,
    width=None,
    height=None,
    alt="",
    sizes="100vw",
    css_class="",
    loading="",
    decoding="",
    fetchpriority="",
):
    """A <picture> offering an image's renditions (images.renditions) in WebP
    and in its fallback format, for the browser to choose by ``sizes``; the original image
    when it has none yet. ``width`` and ``height`` are the original's, used only then.

    Usage: {% picture article.hero_image article.hero_renditions width=article.hero_width
    height=article.hero_height alt=article.hero_alt sizes="…" loading="lazy" %}
    """
    renditions = sorted(renditions or [], key=lambda rendition: rendition["width"])
    webp = [r for r in renditions if r["format"] == "webp"]
    fallback = [r for r in renditions if r["format"] != "webp"]
    context = {
        "alt": alt,
        "sizes": sizes,
        "css_class": css_class,
        "loading": loading,
        "decoding": decoding,
        "fetchpriority": fetchpriority,
    }
    if not fallback:
        return context | {"src": image.url, "width": width, "height": height}
    storage = image.storage
    largest = fallback[-1]
    default = next((r for r in fallback if r["width"] >= 800), largest)
    return context | {
        "webp_srcset": _srcset(storage, webp),
        "srcset": _srcset(storage, fallback),
        "src": storage.url(default["name"]),
        "width": largest["width"],
        "height": largest["height"],
    }
