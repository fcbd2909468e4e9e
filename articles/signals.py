"""Signals articles sends for other apps to act on (the website refreshes what readers see).

Model saves send Django's own signals; these cover changes made with ``QuerySet.update``
or in bulk, which send none.
"""

from django.dispatch import Signal

# What readers see of these articles changed: ``article_ids``, a list of primary keys, or
# None for every article (a bulk load).
live_articles_changed = Signal()

# An article's publication changed, within the transaction that changed it: ``article_id``,
# and ``event``, one of PUBLICATION_EVENTS (a new version published, a re-review that
# confirmed the live content, or the article taken off the site).
PUBLICATION_EVENTS = ("published", "reviewed", "unpublished")
publication_changed = Signal()
