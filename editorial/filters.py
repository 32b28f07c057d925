"""The filters of the public claim and source lists; every state is a GET query string.

What the filters read (documented for readers on /claims/ too):

* The list is the public read model's listed entries (``PublicEntry``), written only when a
  moderator approves a version: an editor's unapproved change to a published claim matches no
  filter until it is approved. Every filter and order has an index there.
* ``q`` searches the approved statement, speaker name and excerpts (``editorial.public.search``).
  A search reads at most ``SEARCH_WINDOW`` matches, the newest first (or in the order chosen), and
  ranks those by relevance, so a common word costs what a rare one does; the page says so when
  there were more.
* Tags, speaker, claim date and the cited sources (source, publisher, author, source update time)
  read the entry and its tag and source rows. Publishers, authors and update times are the cited
  sources' own (sources are not moderated; their changes are listed on their pages).
* The relation filter reads the relations between listed claims as stored (relations are not
  moderated; they link two claims a moderator approved).
* Choices offered (speakers, tags) come from the read model's listed claims only, so no draft's or
  unapproved tag or speaker appears in a form or an error message.
"""

import json

import django_filters
from django import forms
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from taggit.models import Tag

from editorial.models import (
    Claim,
    ClaimRelation,
    PublicEntry,
    PublicEntrySource,
    PublicEntryTag,
    PublicFacet,
    RelationKind,
    Speaker,
)
from editorial.public.search import ranked, search_entries
from editorial.search import MAX_QUERY_LENGTH, query_words
from sources.models import Author, Byline, Publisher, Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# The most matches a search reads: it ranks these (the newest, or first in the order chosen).
SEARCH_WINDOW = 10_000


class PageSizeSelect(forms.Select):
    """A small select of the usual page sizes; the empty choice is the default. A size a link carries
    (any of 1–100, e.g. ``?page_size=3``) is kept as a choice, so the form shows what the page does.
    """

    def __init__(self, attrs=None):
        sizes = [(str(size), str(size)) for size in (10, 50, 100)]
        super().__init__(attrs, choices=[sizes[0], ("", str(DEFAULT_PAGE_SIZE)), *sizes[1:]])

    def get_context(self, name, value, attrs):
        if str(value).isdigit() and str(value) not in {choice for choice, _ in self.choices}:
            self.choices = sorted(
                [*self.choices, (str(value), str(value))], key=lambda c: int(c[0] or DEFAULT_PAGE_SIZE)
            )
        return super().get_context(name, value, attrs)


class PageSizeFilter(django_filters.Filter):
    """``?page_size=`` (1–100): validated with the other filters; the view paginates by it."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", PageSizeSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs


MAX_SUGGESTIONS = 8


class LookupField(forms.CharField):
    """A source, publisher or author typed by slug or name, matched on the server.

    The form lists no rows, so a list page stays small however many sources there are, and it works
    without JavaScript. The slug (what links carry) or the exact name picks the row; otherwise a
    part of the name that matches one row picks it, and one that matches several is an error that
    names them, so the reader can type more.
    """

    def __init__(self, *, queryset, name_field, noun, **kwargs):
        self.queryset, self.name_field, self.noun = queryset, name_field, noun
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def clean(self, value):
        value = " ".join((super().clean(value) or "").split())
        if not value:
            return None
        for lookup in ({"slug": value}, {f"{self.name_field}__iexact": value}):
            found = list(self.queryset.filter(**lookup)[:2])
            if len(found) == 1:
                return found[0]
        candidates = list(
            self.queryset.filter(**{f"{self.name_field}__icontains": value}).order_by(self.name_field)[
                : MAX_SUGGESTIONS + 1
            ]
        )
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise forms.ValidationError(f"No {self.noun} matches “{value}”.", code="invalid_choice")
        names = "; ".join(getattr(candidate, self.name_field) for candidate in candidates[:MAX_SUGGESTIONS])
        more = "; …" if len(candidates) > MAX_SUGGESTIONS else ""
        raise forms.ValidationError(
            f"“{value}” matches several: {names}{more}. Type more of the name.", code="ambiguous"
        )


class LookupFilter(django_filters.Filter):
    """A filter whose value is a ``LookupField``: a text box, not a list of every row."""

    field_class = LookupField


# What each lookup filter picks from, and the field its name is read from.
LOOKUPS = {
    "speaker": (None, "name"),  # the speakers of listed claims (public_speakers), made with the filter
    "source": (Source.objects.all(), "title"),
    "publisher": (Publisher.objects.all(), "name"),
    "author": (Author.objects.all(), "name"),
}


def lookup_filter(noun, **kwargs):
    """Return the ``LookupFilter`` of ``noun`` ("speaker", "source", "publisher" or "author")."""
    queryset, name_field = LOOKUPS[noun]
    if queryset is None:
        queryset = public_speakers()
    return LookupFilter(label=noun.capitalize(), queryset=queryset, name_field=name_field, noun=noun, **kwargs)


# Both probe the read model's indexes once per tag or speaker asked about (EXISTS), rather than
# collecting every public claim's tags or speaker.


def public_tags(*, listed_only=True):
    """Return the tags of the approved versions of public claims (listed ones only, by default)."""
    links = PublicEntryTag.objects.filter(tag=OuterRef("pk"))
    return Tag.objects.filter(Exists(links.filter(entry__listed=True) if listed_only else links))


def public_speakers(*, listed_only=True):
    """Return the speakers of the approved versions of public claims (listed ones only, by default)."""
    entries = PublicEntry.objects.filter(speaker=OuterRef("pk"))
    return Speaker.objects.filter(Exists(entries.filter(listed=True) if listed_only else entries))


def listed_entries():
    """Return the read model's entries of listed claims (published or corrected)."""
    return PublicEntry.objects.filter(listed=True)


def among(rows, ids, column="claim_id"):
    """Return ``rows`` narrowed to those whose ``column`` is one of ``ids``, passed as one parameter
    (an array on PostgreSQL, a JSON list on SQLite) rather than one per id: a window of 10,000 ids
    costs the driver nothing to send. The SQL names the column alone, unqualified, so it works in
    subqueries too; no other table of the query may have a column of that name.
    """
    if column not in ("claim_id", "entry_id"):
        raise ValueError(f"Not a read-model id column: {column!r}")
    # The column is one of the two names above; the ids are a parameter.
    if connection.vendor == "postgresql":
        sql, value = f"{column} = ANY(%s::bigint[])", list(ids)
    else:
        sql, value = f"{column} IN (SELECT value FROM json_each(%s))", json.dumps(list(ids))  # noqa: S608
    return rows.filter(RawSQL(sql, [value], output_field=BooleanField()))  # noqa: S611


def with_tag(entries, tag):
    """Return ``entries`` narrowed to those whose approved version carries ``tag``."""
    return entries.filter(claim_id__in=PublicEntryTag.objects.filter(tag=tag).values("entry_id"))


def citing(entries, **source_lookup):
    """Return ``entries`` narrowed to those whose approved version cites a source matching the lookup."""
    return entries.filter(claim_id__in=PublicEntrySource.objects.filter(**source_lookup).values("entry_id"))


ORDERINGS = {
    "newest": ("-published_at", "-claim_id"),
    "oldest": ("published_at", "claim_id"),
    "claim_date": ("-claim_date", "-published_at", "-claim_id"),
}


class ClaimFilter(django_filters.FilterSet):
    """Filters of ``/claims/`` over the read model; ``queryset`` is ``listed_entries()`` (or narrower)."""

    ORDERINGS = ORDERINGS

    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=MAX_QUERY_LENGTH, help_text="Statement, speaker, excerpts."
    )
    tag = django_filters.ModelMultipleChoiceFilter(
        label="Tags",
        field_name="tags",
        to_field_name="slug",
        queryset=Tag.objects.none(),
        method="filter_tags",
        help_text="Claims with every tag chosen.",
    )
    speaker = lookup_filter("speaker", method="filter_speaker", help_text="A speaker's name, or part of it.")
    source = lookup_filter("source", method="filter_source", help_text="A source's title, or part of it.")
    publisher = lookup_filter("publisher", method="filter_publisher", help_text="A publisher's name, or part of it.")
    author = lookup_filter("author", method="filter_author", help_text="An author's name, or part of it.")
    claim_date = django_filters.DateFromToRangeFilter(
        label="Claim date", method="filter_claim_date", widget=django_filters.widgets.DateRangeWidget()
    )
    source_updated = django_filters.DateFromToRangeFilter(
        label="Source updated", method="filter_source_updated", widget=django_filters.widgets.DateRangeWidget()
    )
    relation = django_filters.ChoiceFilter(
        label="Related claims",
        choices=RelationKind.choices,
        method="filter_relation",
        empty_label="Any",
        help_text="Claims linked to another published claim by this kind of relation.",
    )
    ordering = django_filters.ChoiceFilter(
        label="Order",
        choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("claim_date", "Claim date")],
        method="filter_ordering",
        empty_label=None,
    )
    page_size = PageSizeFilter(label="Per page", min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    class Meta:
        model = PublicEntry
        fields = []

    # A search's window (the ids of the matches it lists, at most SEARCH_WINDOW), once ``qs`` is read.
    window = None

    def __init__(self, data=None, queryset=None, **kwargs):
        queryset = listed_entries() if queryset is None else queryset
        super().__init__(data, queryset, **kwargs)
        self.filters["tag"].queryset = public_tags()
        self.form.fields["claim_date"].widget.attrs.update(type="date")
        self.form.fields["source_updated"].widget.attrs.update(type="date")

    def filter_queryset(self, queryset):
        entries = super().filter_queryset(queryset)
        ordering = self.form.cleaned_data.get("ordering")
        order = self.ORDERINGS[ordering or "newest"]
        query = self.form.cleaned_data.get("q")
        if not query:
            return entries.order_by(*order)
        # The first SEARCH_WINDOW matches in the chosen order (newest first by default), in that
        # order, or ranked by relevance when no order was chosen. The window is read once, as ids:
        # the page, its total and its facets then probe those rows by key rather than each search
        # the whole record again.
        window = list(entries.order_by(*order).values_list("claim_id", flat=True)[:SEARCH_WINDOW])
        self.window = window
        matches = search_entries(among(PublicEntry.objects.all(), window), query, matching=False)
        return matches.order_by(*order) if ordering else ranked(matches)

    def counted_scope(self):
        """Return the counters' scope (``editorial.public.counters``) that holds this list's total and
        facets — the whole list, or the claims of one tag, speaker or publisher — or ``None`` when
        the filters ask for more than that. The filter set must be valid.
        """
        chosen = {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value and name not in ("ordering", "page_size")
        }
        if not chosen:
            return (PublicFacet.Kind.TOTAL, 0)
        if len(chosen) > 1:
            return None
        ((name, value),) = chosen.items()
        if name == "tag" and len(value) == 1:
            return (PublicFacet.Kind.TAG, value[0].pk)
        if name == "speaker":
            return (PublicFacet.Kind.SPEAKER, value.pk)
        if name == "publisher":
            return (PublicFacet.Kind.PUBLISHER, value.pk)
        return None

    def claims(self):
        """Return the filtered list as a ``Claim`` queryset (for exports), in the order chosen.

        Newest first by default, a search too: its export holds the matches the list reads (at most
        ``SEARCH_WINDOW``), not ranked.
        """
        ordering = self.form.cleaned_data.get("ordering") or "newest"
        order = [
            f"{'-' if field.startswith('-') else ''}public_entry__{field.lstrip('-')}" for field in ORDERINGS[ordering]
        ]
        return Claim.objects.filter(pk__in=self.qs.values("claim_id")).order_by(*order)

    def filter_search(self, entries, name, value):
        return search_entries(entries, value)

    def filter_tags(self, entries, name, tags):
        # Every chosen tag must be on the claim: one semi-join per tag, no duplicate rows.
        for tag in tags:
            entries = with_tag(entries, tag)
        return entries

    def filter_speaker(self, entries, name, speaker):
        return entries.filter(speaker=speaker)

    def filter_claim_date(self, entries, name, value):
        if not value:
            return entries
        if value.start is not None:
            entries = entries.filter(claim_date__gte=value.start)
        if value.stop is not None:
            entries = entries.filter(claim_date__lte=value.stop)
        return entries

    def filter_source(self, entries, name, source):
        return citing(entries, source=source)

    def filter_publisher(self, entries, name, publisher):
        return citing(entries, source__publisher=publisher)

    def filter_author(self, entries, name, author):
        return citing(entries, source__in=Byline.objects.filter(author=author).values("source_id"))

    def filter_source_updated(self, entries, name, value):
        if not value:
            return entries
        lookup = {}
        if value.start is not None:
            lookup["updated_at__gte"] = value.start
        if value.stop is not None:
            lookup["updated_at__lte"] = value.stop
        return citing(entries, source__in=Source.objects.filter(**lookup).values("pk"))

    def filter_relation(self, entries, name, kind):
        listed = listed_entries().values("claim_id")
        related = ClaimRelation.objects.filter(kind=kind)
        return entries.filter(
            Q(claim_id__in=related.filter(to_claim__in=listed).values("from_claim_id"))
            | Q(claim_id__in=related.filter(from_claim__in=listed).values("to_claim_id"))
        )

    def filter_ordering(self, entries, name, value):
        return entries  # applied last, in ``filter_queryset``, after the search's ranking

    def get_page_size(self):
        """Return the validated page size (the default when absent)."""
        if self.form.is_valid() and self.form.cleaned_data.get("page_size"):
            return self.form.cleaned_data["page_size"]
        return DEFAULT_PAGE_SIZE

    def is_searching(self):
        return bool(self.form.is_valid() and self.form.cleaned_data.get("q"))


class SourceFilter(django_filters.FilterSet):
    """Filters of ``/sources/``. Sources are published documents, so every source is listed."""

    q = django_filters.CharFilter(
        label="Search", method="filter_search", max_length=MAX_QUERY_LENGTH, help_text="Title, byline and text."
    )
    publisher = lookup_filter("publisher", field_name="publisher")
    author = lookup_filter("author", method="filter_author")
    section = django_filters.CharFilter(label="Section", field_name="section", max_length=200)
    language = django_filters.CharFilter(label="Language", field_name="language", max_length=35)
    published = django_filters.DateFromToRangeFilter(
        label="Published", field_name="published_at", widget=django_filters.widgets.DateRangeWidget()
    )
    updated = django_filters.DateFromToRangeFilter(
        label="Updated", field_name="updated_at", widget=django_filters.widgets.DateRangeWidget()
    )
    page_size = PageSizeFilter(label="Per page", min_value=1, max_value=MAX_PAGE_SIZE, required=False)

    class Meta:
        model = Source
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["published"].widget.attrs.update(type="date")
        self.form.fields["updated"].widget.attrs.update(type="date")

    def filter_author(self, sources, name, author):
        return sources.filter(pk__in=Byline.objects.filter(author=author).values("source_id"))

    def filter_search(self, sources, name, value):
        for word in query_words(value):
            sources = sources.filter(
                Q(title__icontains=word) | Q(byline__icontains=word) | Q(current_revision__text__icontains=word)
            )
        return sources

    def get_page_size(self):
        if self.form.is_valid() and self.form.cleaned_data.get("page_size"):
            return self.form.cleaned_data["page_size"]
        return DEFAULT_PAGE_SIZE
