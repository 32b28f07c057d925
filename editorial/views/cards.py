"""Claim cards (``includes/claim_card.html``): rendered once for what they show, then kept in the cache.

After any change readers can see, every public page is built again (the page cache is keyed by
the public record's version), but a moderation act changes only the cards of the claims it acts
on. So a card is kept under a digest of everything it shows: the claim's id, its approved version
as the list shows it (approval time, statement, speaker, date, verdict, sources, tags with their
slugs), its status and slug, the search highlight, the heading level and the curator's note, with
the language, the URL patterns with their prefix, and the card template's own text. An approval,
a retraction or a renamed tag makes another key, so a card is never shown for inputs other than
its own and nothing needs deleting; the keys nobody asks for again expire.

A page reads all its cards with one ``get_many`` and writes the ones it rendered with one
``set_many``. The database cache writes a key in queries of its own and its size is set for the
API throttle's rows, so with it the cards are kept in this process's memory instead.
"""

import hashlib

from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

TEMPLATE = "includes/claim_card.html"
# The addresses a card shows, each reversed once per page with a sample argument (``card_key``).
ADDRESS_SAMPLES = [("claim_detail", [1, "claim"]), ("speaker_detail", ["speaker"]), ("tag_detail", ["tag"])]
# An upper bound: a card whose inputs change gets another key at once.
CARD_SECONDS = 7 * 24 * 3600
# About 1.5 KB each: a few megabytes per process when the database cache is the shared one.
_process_cards = LocMemCache("claim-cards", {"TIMEOUT": CARD_SECONDS, "OPTIONS": {"MAX_ENTRIES": 5000}})


def card_cache():
    """Return the cache cards are kept in: the shared one, unless that is the database cache."""
    shared = caches["default"]
    return _process_cards if isinstance(shared, BaseDatabaseCache) else shared


def claim_cards(items, *, level=2, set_notes=None):
    """Return the cards of ``items`` (``PublicClaim``s) as HTML, in order: one cache read for all of
    them, and one write for those rendered because the cache did not hold them.

    ``level`` is the heading level of the statements; ``set_notes`` the curator's notes, one per item.
    """
    items = list(items)
    if not items:
        return []
    notes = set_notes if set_notes is not None else [""] * len(items)
    template = get_template(TEMPLATE)
    # What every card of the page shares: the language, the URL patterns with their prefix, the template.
    addresses = [reverse(f"public:{name}", args=args) for name, args in ADDRESS_SAMPLES]
    page = hashlib.sha256(repr((get_language(), addresses, template.template.source)).encode()).hexdigest()
    keys = [card_key(page, item, level, note) for item, note in zip(items, notes, strict=True)]
    store = card_cache()
    kept = store.get_many(keys)
    rendered = {}
    cards = []
    for key, item, note in zip(keys, items, notes, strict=True):
        html = kept.get(key)
        if html is None:
            html = rendered[key] = str(template.render({"item": item, "level": level, "set_note": note}))
        # Rendered from the template above, which escapes what it shows.
        cards.append(mark_safe(html))  # noqa: S308
    if rendered:
        store.set_many(rendered, CARD_SECONDS)
    return cards


def card_key(page, item, level, set_note):
    """Return the cache key of ``item``'s card: a digest of all the card shows, and of ``page``.

    Its addresses are named by what they are made of (the claim's slug, the speaker's), not reversed
    once per card: ``page`` holds how the URL patterns make them.
    """
    shown = (
        page,
        level,
        set_note,
        item.approved_at,
        item.status,
        item.claim.slug,
        item.statement,
        item.statement_html,
        item.excerpt_html,
        item.speaker_name,
        item.speaker.slug if item.speaker is not None and not item.preview else None,
        item.claim_date,
        item.verdict,
        item.verdict_label,
        len(item.citations),
        item.source_titles,
        [(tag.name, tag.slug) for tag in item.tags],
    )
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()[:40]
    return f"claim-card:{item.claim.pk}:{digest}"
