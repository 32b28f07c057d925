"""Saved article pages (HTML): the main text and the article's metadata.

trafilatura finds the main text and most metadata. On top of it, the publisher's own structured
metadata wins where a page has it, because it is what the publisher states rather than a guess:

- published and updated times from JSON-LD (``datePublished``/``dateModified``) or the
  ``article:published_time``/``article:modified_time`` meta tags, with their time and zone
  (trafilatura gives a date only, and sometimes the update date);
- authors from JSON-LD ``Person`` authors or ``<meta name="author">``, with "By " removed;
- the title from the page's visible headline (``<h1>``) when the metadata title is that headline
  plus a kicker or a site name ("Kicker: Headline", "Headline | Site");
- the language from ``<html lang>``, ``og:locale`` or JSON-LD ``inLanguage``.

The body's paragraphs are separated by one blank line. Lines that repeat the page header (the
headline, and the short lines before it) at the very top, and photo-credit captions, are left out.
Meta keywords are not imported as tags: they are search-engine keywords, not editorial tags.
"""

import json
import re

import lxml.html
import trafilatura
from lxml import etree

from sources import bylines, textutils, timestamps
from sources.importers.base import ImportProblem, ParsedAuthor, ParsedDocument

FORMAT = "html"
EXTENSIONS = (".html", ".htm", ".xhtml")

ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "Report",
    "ScholarlyArticle",
    "LiveBlogPosting",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# "(Photo: Jane Doe / Agency)", "Credit: Getty Images", "Image: NASA"
_CREDIT_LINE = re.compile(
    r"^\(?\s*(?:photo(?:graph)?s?|images?|pictures?|illustrations?|graphics?|credits?|fotos?|bild)"
    r"(?:\s+credits?)?\s*:\s*[^()]{1,100}\)?$",
    re.IGNORECASE,
)
MAX_HEADER_LINE = 120
MAX_AUTHOR_WORDS = 6


def _decode(data, filename):
    """Return ``(text, encoding, warnings)``: UTF-8, else the charset the page declares, else a guess."""
    textutils.check_is_text(data)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-8").removeprefix("\ufeff"), "utf-8", []
        except UnicodeDecodeError:
            pass
        if match := _META_CHARSET.search(data[:4096]):
            declared = match.group(1).decode("ascii")
            try:
                # The page says which encoding it is in: no guess, so no warning.
                return data.decode(declared), textutils.encoding_label(declared), []
            except (LookupError, UnicodeDecodeError):
                pass
    return textutils.decode(data, filename)


def _json_ld_objects(tree):
    """Yield every JSON-LD object on the page, ``@graph`` members included."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            value = json.loads(script.text_content() or "")
        except (ValueError, RecursionError):  # not JSON, or nested thousands deep
            continue
        stack = [value]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])


def _types(item):
    value = item.get("@type") or []
    return {value} if isinstance(value, str) else {str(entry) for entry in value}


def _article_json_ld(tree):
    return next((item for item in _json_ld_objects(tree) if _types(item) & ARTICLE_TYPES), {})


def _meta(tree, *names):
    """Return the first non-empty ``content`` of ``<meta>`` tags with one of ``names``."""
    for name in names:
        for element in tree.xpath("//meta[@property=$name or @name=$name or @itemprop=$name]", name=name):
            content = " ".join((element.get("content") or "").split())
            if content:
                return content
    return ""


def _clean_author_name(name):
    name = " ".join(str(name).split())
    name = re.sub(r"^(?:by|von|par|por)\s*:?\s+", "", name, flags=re.IGNORECASE)
    return name.strip(" ,;|")


def _plausible_name(name):
    return (
        bool(name)
        and len(name.split()) <= MAX_AUTHOR_WORDS
        and not re.search(r"\d|https?:|www\.|@", name)
        and any(char.isalpha() for char in name)
    )


def _authors_from_text(value):
    """Return authors from an author string ("By A and B", "A; B")."""
    authors = []
    for part in re.split(r"\s*[;|]\s*", value or ""):
        part = _clean_author_name(part)
        if not part:
            continue
        found = bylines.parse_byline(part) or ([ParsedAuthor(name=part)] if _plausible_name(part) else [])
        authors.extend(found)
    return authors


def _json_ld_authors(article):
    value = article.get("author") or article.get("creator") or []
    items = value if isinstance(value, list) else [value]
    people, organisations = [], []
    for item in items:
        if isinstance(item, str):
            people.extend(_authors_from_text(item))
        elif isinstance(item, dict):
            name = _clean_author_name(item.get("name") or "")
            if not _plausible_name(name):
                continue
            (organisations if "Organization" in _types(item) else people).append(ParsedAuthor(name=name))
    return people or organisations


def _unique(authors):
    seen, unique = set(), []
    for author in authors:
        key = " ".join(author.name.casefold().split())
        if key not in seen:
            seen.add(key)
            unique.append(author)
    return unique


def _first_text(value):
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def _headline(tree, title):
    """Return the visible headline when ``title`` is it plus a kicker or a site name."""
    for element in tree.xpath("//h1"):
        text = " ".join(element.text_content().split())
        if not text or len(text) >= len(title):
            continue
        if text in title:
            remainder = title.replace(text, "", 1).strip()
            if remainder and re.match(r"^.*[:|–—\-]$|^[:|–—\-]", remainder):
                return text
    return title


def _language(tree, article, extracted):
    candidates = [
        (tree.xpath("string(/html/@lang)") or "").strip(),
        _meta(tree, "og:locale"),
        _first_text(article.get("inLanguage")),
        extracted or "",
    ]
    for candidate in candidates:
        candidate = candidate.replace("_", "-")
        if candidate and _LANGUAGE_TAG.match(candidate):
            return candidate
    return ""


def _timestamp(*values):
    for value in values:
        if value and (parsed := timestamps.parse_timestamp(value)):
            return parsed
    return None


def _body(text, title, authors):
    """Return the extracted text with one blank line between paragraphs and header lines removed."""
    lines = [" ".join(line.split()) for line in (text or "").split("\n")]
    lines = [line for line in lines if line]
    folded_title = title.casefold()
    # The page header repeated at the top: short lines up to and including the headline.
    for index, line in enumerate(lines[:4]):
        if line.casefold() == folded_title:
            if all(len(earlier) <= MAX_HEADER_LINE for earlier in lines[:index]):
                lines = lines[index + 1 :]
            break
    names = {author.name.casefold() for author in authors}
    while lines and (lines[0].casefold() in names or _clean_author_name(lines[0]).casefold() in names):
        lines = lines[1:]
    lines = [line for line in lines if not (len(line) <= MAX_HEADER_LINE and _CREDIT_LINE.match(line))]
    return textutils.normalise_text("\n\n".join(lines))


def parse(data, filename):
    """Read a saved article page into a ``ParsedDocument``."""
    html, encoding, warnings = _decode(data, filename)
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, etree.ParserError) as error:
        raise ImportProblem(f"cannot read the HTML: {textutils.shown(str(error))}") from None
    extracted = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        output_format="python",
    )
    if extracted is None or not (extracted.text or "").strip():
        raise ImportProblem("no article text found in the page")

    article = _article_json_ld(tree)
    title = " ".join((extracted.title or _first_text(article.get("headline")) or "").split())
    if not title:
        raise ImportProblem("no title: the page has no <title>, headline or og:title")
    title = _headline(tree, title)

    authors = _unique(
        _json_ld_authors(article) or _authors_from_text(_meta(tree, "author")) or _authors_from_text(extracted.author)
    )
    section = _first_text(article.get("articleSection")) or _meta(tree, "article:section")
    if not section and extracted.categories and len(extracted.categories) == 1:
        section = extracted.categories[0]

    published_at = _timestamp(
        _first_text(article.get("datePublished")),
        _meta(tree, "article:published_time", "og:article:published_time", "datePublished"),
        extracted.date,
    )
    updated_at = _timestamp(
        _first_text(article.get("dateModified")),
        _meta(tree, "article:modified_time", "og:article:modified_time", "og:updated_time", "dateModified"),
    )

    text = _body(extracted.text, title, authors)
    if not text:
        raise ImportProblem("no article text found in the page")

    return ParsedDocument(
        title=title,
        text=text,
        format=FORMAT,
        byline=bylines.format_byline(authors),
        authors=authors,
        publisher=" ".join((extracted.sitename or "").split()),
        section=section[:200],
        url=(extracted.url or "").strip(),
        language=_language(tree, article, extracted.language),
        published_at=published_at,
        updated_at=updated_at,
        encoding=encoding,
        warnings=warnings,
    )
