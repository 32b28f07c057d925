"""Template helpers of the public pages."""

from django import template

from editorial.exports.schemaorg import script_element

register = template.Library()


@register.simple_tag
def jsonld(document):
    """Render ``document`` as a ``<script type="application/ld+json">`` element (safe in HTML)."""
    if not document:
        return ""
    return script_element(document)


@register.filter
def short_sha(value, length=12):
    """Return the first ``length`` hex digits of a SHA-256 digest."""
    return (value or "")[: int(length)]
