"""Saved article pages (HTML): the main text and the article's metadata.

trafilatura finds the main text and most metadata. On top of it, the publisher's own structured
metadata wins where a page has it, because it is what the publisher states rather than a guess:

- published and updated times from JSON-LD (``datePublished``/``dateModified``) or the
  ``article:published_time``/``article:modified_time`` meta tags, with their time and zone
  (trafilatura gives a date only, and sometimes the update date);
- authors from JSON-LD ``Person`` authors or ``<meta name="author">``, with "By " removed; a
  candidate that is the publisher, the site's name or its domain is no author and is discarded.
  The byline printed on the page ("Von A, B und C aus Berlin", read in the page's language by
  ``sources.bylines``) gives the authors when the metadata names none, or names the same people
  (the printed byline adds their locations); trafilatura's author guess comes last;
- the title from the page's own headline (``<h1>``, ``og:title``, JSON-LD ``headline``) when the
  metadata title is that headline plus a kicker, subtitle or site name ("Kicker: Headline",
  "Headline - Subtitle | Site"); the site name goes to the publisher when the page names none;
- published and updated times printed on the page ("Veröffentlicht am …", "Stand: …",
  "Updated: 5 May 2024, 10:12 CET") when the metadata has none; a printed update line is never
  taken for the publication date;
- the language from ``<html lang>``, ``og:locale`` or JSON-LD ``inLanguage``, else guessed from
  the text.

The body's paragraphs are separated by one blank line. Lines that repeat the page header (the
headline, and the short lines before it) at the very top, and photo-credit captions, are left out.
Meta keywords are not imported as tags: they are search-engine keywords, not editorial tags.
"""

import json
import re
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree

from sources import bylines, languages, textutils, timestamps
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
MAX_PRINTED_LINE = 200  # a printed byline or timestamp line is short
PAGE_LINES_READ = 6  # lines at the top of the text where a byline or a timestamp may be printed
_EXSLT = {"re": "http://exslt.org/regular-expressions"}
_BYLINE_ELEMENTS = (
    ".//*[not(self::meta or self::link or self::script or self::style) and "
    "re:test(concat(@class, ' ', @id, ' ', @itemprop, ' ', @rel), "
    "'byline|author|autor|auteur|firma|signature|writer', 'i')]"
)
_TIMESTAMP_ELEMENTS = (
    ".//*[(self::p or self::div or self::span or self::time or self::small or self::li) "
    "and string-length(normalize-space(.)) <= 200 and translate(., '0123456789', '') != .]"
)
_DOMAIN = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$")


def _decode(data, filename, encoding=None):
    """Return ``Decoded``: the encoding chosen, else UTF-8, else the charset the page declares, else a guess."""
    textutils.check_is_text(data)
    if encoding:
        return textutils.decode_as(data, encoding)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return textutils.Decoded(data.decode("utf-8").removeprefix("\ufeff"), "utf-8", 1.0)
        except UnicodeDecodeError:
            pass
        if match := _META_CHARSET.search(data[:4096]):
            declared = match.group(1).decode("ascii")
            try:
                text = data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
            else:
                # The page says which encoding it is in: no guess, so no warning; the confidence
                # still says how plausibly the text reads in it.
                label = textutils.encoding_label(declared)
                return textutils.Decoded(text, label, round(languages.plausibility(text), 2))
    return textutils.decode_document(data, filename)


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


def _headline(tree, title, article):
    """Return the article's own headline when ``title`` is it plus a kicker, subtitle or site name.

    The headline is the page's ``<h1>``, else its ``og:title`` or JSON-LD ``headline``.
    """
    candidates = [" ".join(element.text_content().split()) for element in tree.xpath("//h1")]
    candidates += [_meta(tree, "og:title", "twitter:title"), _first_text(article.get("headline"))]
    for text in candidates:
        if not text or len(text) >= len(title):
            continue
        if text in title:
            remainder = title.replace(text, "", 1).strip()
            if remainder and re.match(r"^.*[:|–—\-]$|^[:|–—\-]", remainder):
                return text
    return title


def _site_names(tree, article, extracted):
    """Return the names the page gives its site: trafilatura's, ``og:site_name``, JSON-LD
    ``publisher``, the page title's part after the last "|"."""
    publisher = article.get("publisher")
    names = [
        extracted.sitename or "",
        _meta(tree, "og:site_name", "application-name"),
        _first_text(publisher.get("name")) if isinstance(publisher, dict) else _first_text(publisher),
    ]
    page_title = " ".join((tree.findtext(".//title") or "").split())
    if "|" in page_title:
        names.append(page_title.rsplit("|", 1)[1])
    return [" ".join(name.split()) for name in names if name and name.strip()]


def _site_name(names):
    """Return the publisher's name among the site's ``names``: the first that is not a bare domain.

    trafilatura falls back to the domain ("harbourgazette.example"); a name the page prints is better.
    """
    return next((name for name in names if not _DOMAIN.match(name)), names[0] if names else "")


def _folded(name):
    return re.sub(r"[\W_]+", "", name.casefold())


def _publisher_names(site_names, url):
    """Return the folded names an author candidate must not be: the site's names and its domain."""
    names = {_folded(name) for name in site_names}
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if host:
        names |= {_folded(host), _folded(host.split(".")[0]), _folded(host.rsplit(".", 1)[0])}
    names.discard("")
    return names


def _without_publisher(authors, publisher_names):
    """Return ``authors`` without the candidates that are the publisher, the site or its domain."""
    return [author for author in authors if _folded(author.name) not in publisher_names]


def _article_element(tree):
    """Return the page's ``<article>`` (or ``<main>``), where its own byline and times are printed;
    else the ``<body>``. Sidebars list other stories with their authors and dates."""
    for path in ("//article", "//main", "//body"):
        if found := tree.xpath(path):
            return found[0]
    return tree


def _printed_byline(tree, text, language):
    """Return ``(line, authors)`` for the byline printed on the page, or ``("", [])``.

    Looked for in the article's elements marked as a byline or author, then in the first lines of
    the text.
    """
    scope = _article_element(tree)
    lines = [" ".join(element.text_content().split()) for element in scope.xpath(_BYLINE_ELEMENTS, namespaces=_EXSLT)]
    lines += [" ".join(line.split()) for line in (text or "").split("\n")[:PAGE_LINES_READ]]
    for line in lines:
        if line and len(line) <= MAX_PRINTED_LINE and (authors := bylines.parse_byline(line, language)):
            return line, authors
    return "", []


def _printed_timestamps(tree, text):
    """Return ``{"published": datetime, "updated": datetime}`` for labelled time lines printed on the page."""
    lines = [" ".join(line.split()) for line in (text or "").split("\n")[:PAGE_LINES_READ]]
    for element in _article_element(tree).xpath(_TIMESTAMP_ELEMENTS):
        lines.append(" ".join(element.text_content().split()))
    found = {}
    for line in lines:
        label = timestamps.timestamp_label(line)
        if label and label not in found and (value := timestamps.parse_timestamp(line)):
            found[label] = value
    return found


def _is_time_line(line):
    """A short labelled line with a readable date: "Stand: 28.04.2020 18:00 Uhr", "Updated: 5 May 2024"."""
    return (
        len(line) <= MAX_PRINTED_LINE
        and bool(timestamps.timestamp_label(line))
        and bool(timestamps.parse_timestamp(line))
    )


def _same_people(first, second):
    return sorted(_folded(author.name) for author in first) == sorted(_folded(author.name) for author in second)


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


def _body(text, title, authors, byline=""):
    """Return the extracted text with one blank line between paragraphs and header lines removed.

    Header lines: the headline and what precedes it, author names, the printed ``byline``, and
    labelled time lines ("Stand: …", "Updated …") at the top; and such a time line at the end.
    """
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
    if byline:
        names.add(byline.casefold())
    while lines and (
        lines[0].casefold() in names or _clean_author_name(lines[0]).casefold() in names or _is_time_line(lines[0])
    ):
        lines = lines[1:]
    # A time line closing the article ("Stand: 28.04.2020 18:00 Uhr") is metadata too.
    while len(lines) > 1 and _is_time_line(lines[-1]):
        lines = lines[:-1]
    lines = [line for line in lines if not (len(line) <= MAX_HEADER_LINE and _CREDIT_LINE.match(line))]
    return textutils.normalise_text("\n\n".join(lines))


def parse(data, filename, *, encoding=None):
    """Read a saved article page into a ``ParsedDocument``; ``encoding`` forces the one to read it in."""
    decoded = _decode(data, filename, encoding)
    html, warnings = decoded.text, list(decoded.warnings)
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
    title = _headline(tree, title, article)
    language = _language(tree, article, extracted.language) or languages.guess_language(extracted.text)
    url = (extracted.url or "").strip()
    site_names = _site_names(tree, article, extracted)
    not_publisher = _publisher_names(site_names, url)
    authors = _unique(
        _without_publisher(_json_ld_authors(article), not_publisher)
        or _without_publisher(_authors_from_text(_meta(tree, "author")), not_publisher)
    )
    printed_line, printed = _printed_byline(tree, extracted.text, language)
    printed = _unique(_without_publisher(printed, not_publisher))
    # The byline as printed when only the page's text names the authors; else as the metadata names them.
    byline = printed_line if printed and not authors else ""
    if printed and (not authors or _same_people(authors, printed)):
        authors = printed
    if not authors:
        authors = _unique(_without_publisher(_authors_from_text(extracted.author), not_publisher))
    section = _first_text(article.get("articleSection")) or _meta(tree, "article:section")
    if not section and extracted.categories and len(extracted.categories) == 1:
        section = extracted.categories[0]

    printed_times = _printed_timestamps(tree, extracted.text)
    stated_published = _timestamp(
        _first_text(article.get("datePublished")),
        _meta(tree, "article:published_time", "og:article:published_time", "datePublished"),
    )
    updated_at = _timestamp(
        _first_text(article.get("dateModified")),
        _meta(tree, "article:modified_time", "og:article:modified_time", "og:updated_time", "dateModified"),
    ) or printed_times.get("updated")
    published_at = stated_published or printed_times.get("published")
    if published_at is None and (guessed := _timestamp(extracted.date)):
        # trafilatura's date is a guess from the page; a printed update line is not the publication.
        printed_update = printed_times.get("updated")
        if printed_update is None or guessed.date() != printed_update.date():
            published_at = guessed

    text = _body(extracted.text, title, authors, printed_line)
    if not text:
        raise ImportProblem("no article text found in the page")

    return ParsedDocument(
        title=title,
        text=text,
        format=FORMAT,
        byline=byline or bylines.format_byline(authors),
        authors=authors,
        publisher=_site_name(site_names),
        section=section[:200],
        url=url,
        language=language,
        published_at=published_at,
        updated_at=updated_at,
        encoding=decoded.encoding,
        encoding_confidence=decoded.confidence,
        warnings=warnings,
    )
