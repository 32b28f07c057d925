"""The import service: what importing a file saves, refuses, and does on re-import."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sources import services
from sources.models import Author, Byline, Publisher, Revision, Source
from sources.services import ImportOutcome, format_size, import_file, import_paths
from sources.signals import revision_added
from tests.factories import make_author, make_publisher

FIXTURES = Path(__file__).parent / "fixtures"

PIER = """Updated at 09:05,03-04-2023

Harbour board approves repairs to the northern pier

Anna Lindqvist in Stockholm and Karim Haddad in Beirut

Coastal affairs

The harbour board approved a set of repairs that it calls temporary, although the contract runs for five years.

Residents say the pier has been “temporary” for a decade.
"""
PIER_CHANGED = PIER.replace("for a decade.", "for a decade — and that nobody asked them.")


def row_counts():
    return {model.__name__: model.objects.count() for model in (Publisher, Author, Source, Byline, Revision)}


def write_queries(queries):
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(verbs)]


def import_text(document, filename="pier.txt", **options):
    return import_file(data=document.encode("utf-8"), filename=filename, **options)


@pytest.fixture
def revisions_added():
    """The ``revision_added`` signals sent during the test, as ``(revision, previous)`` pairs."""
    received = []

    def receiver(sender, revision, previous, **kwargs):
        received.append((revision, previous))

    revision_added.connect(receiver)
    yield received
    revision_added.disconnect(receiver)


# A first import


@pytest.mark.django_db
def test_import_creates_a_source_with_its_authors_and_first_revision(django_user_model):
    user = django_user_model.objects.create_user(username="ingrid")
    outcome = import_text(PIER, filename="demo/pier.txt", user=user, publisher="The Coastal Courier")

    assert outcome.status == "created"
    assert str(outcome) == "demo/pier.txt: created — “Harbour board approves repairs to the northern pier” (revision 1)"
    source = outcome.source
    source.refresh_from_db()
    assert source.title == "Harbour board approves repairs to the northern pier"
    assert source.publisher.name == "The Coastal Courier"
    assert source.section == "Coastal affairs"
    assert source.byline == "Anna Lindqvist in Stockholm and Karim Haddad in Beirut"
    assert [(b.author.name, b.location, b.position) for b in source.ordered_bylines()] == [
        ("Anna Lindqvist", "Stockholm", 1),
        ("Karim Haddad", "Beirut", 2),
    ]
    assert source.updated_at == datetime(2023, 4, 3, 9, 5, tzinfo=UTC)  # settings.TIME_ZONE is UTC

    revision = source.current_revision
    assert revision == outcome.revision
    assert revision.number == 1
    assert revision.text.startswith("The harbour board approved")
    assert revision.verify_hash()
    assert revision.origin == "demo/pier.txt"
    assert revision.format == "text"
    assert revision.encoding == "utf-8"
    assert bytes(revision.original) == PIER.encode("utf-8")
    assert revision.captured_by == user
    assert revision.publisher_updated_at == source.updated_at
    assert revision.title == source.title
    assert revision.byline == source.byline


@pytest.mark.django_db
def test_printed_times_without_a_zone_are_read_in_the_publishers_zone():
    make_publisher("Minsk Daily", time_zone="Europe/Minsk")  # UTC+3 all year
    outcome = import_text(PIER, publisher="minsk daily")
    assert outcome.source.publisher.name == "Minsk Daily"  # matched ignoring case, not created
    assert Publisher.objects.count() == 1
    assert outcome.source.updated_at == datetime(2023, 4, 3, 6, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_printed_times_without_a_zone_fall_back_to_the_site_zone(settings):
    settings.TIME_ZONE = "Europe/Oslo"  # UTC+2 in April
    outcome = import_text(PIER)
    assert outcome.source.publisher is None
    assert outcome.source.updated_at == datetime(2023, 4, 3, 7, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_the_documents_own_publisher_wins_over_the_argument():
    data = b"---\ntitle: Roof\npublisher: Island Post\npublished: 2023-04-03T14:30:00Z\ntags: [schools]\n---\nText.\n"
    outcome = import_file(data=data, filename="roof.md", publisher="Somebody Else")
    assert outcome.source.publisher.name == "Island Post"
    assert outcome.source.published_at == datetime(2023, 4, 3, 14, 30, tzinfo=UTC)
    assert list(outcome.source.tags.names()) == ["schools"]


@pytest.mark.django_db
def test_authors_are_reused_by_their_normalised_name():
    existing = make_author("Anna  Lindqvist")
    import_text(PIER)
    assert Author.objects.filter(normalised_name="anna lindqvist").get() == existing
    assert Author.objects.count() == 2


@pytest.mark.django_db
def test_an_html_page_imports_with_its_metadata():
    data = (FIXTURES / "harbour_article.html").read_bytes()
    outcome = import_file(data=data, filename="harbour_article.html")
    assert outcome.status == "created", outcome.message
    source = outcome.source
    assert source.url == "https://courier.example.org/news/2023/harbour-ferry-timetable"
    assert source.publisher.name == "The Coastal Courier"
    assert source.language == "en-GB"
    assert source.published_at == datetime(2023, 2, 14, 7, 30, tzinfo=UTC)
    assert [author.name for author in source.authors.order_by("bylines__position")] == [
        "Ingrid Halvorsen",
        "Tomás Ruiz",
    ]


# Bad input: a failed outcome that says why, and nothing saved


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("x.bin", b"\x00\x01\x02binary\x00", "binary file, not text"),
        ("scan.txt", b"%PDF-1.7\n...", "binary file, not text (looks like PDF)"),
        (
            "noise.txt",
            bytes(range(0x80, 0x100)) * 4,
            "cannot decode the text: it is not UTF-8 and no likely encoding fits",
        ),
        ("notes.docx", b"Some text", "unknown file type “.docx”"),
        ("no-title.md", b"---\nsection: Schools\n---\nText.\n", "no title"),
        ("no-body.txt", b"Headline only\n", "no body text"),
        ("bad-yaml.md", b"---\ntitle: Roof: repaired\n---\nText.\n", "line 2: malformed YAML front matter"),
        ("bad-url.md", b"---\ntitle: Roof\nurl: not a web address\n---\nText.\n", "invalid url: Enter a valid URL."),
    ],
)
def test_bad_input_fails_with_a_reason_and_saves_nothing(filename, data, message):
    outcome = import_file(data=data, filename=filename)
    assert outcome.status == "failed"
    assert outcome.message.startswith(message)
    assert str(outcome) == f"{filename}: failed: {outcome.message}"
    assert outcome.source is None
    assert set(row_counts().values()) == {0}


def test_the_size_limit_message_names_the_size_and_the_limit():
    data = b"x" * int(12.3 * 1024 * 1024)
    outcome = import_file(data=data, filename="huge.txt")  # refused before any database access
    assert outcome.message == "file is 12.3 MB, over the 10 MB import limit"


@pytest.mark.django_db
def test_a_file_over_a_lowered_size_limit_fails(settings):
    settings.IMPORT_MAX_BYTES = 100
    outcome = import_text(PIER)
    assert outcome.status == "failed"
    assert outcome.message == f"file is {len(PIER.encode())} bytes, over the 100 bytes import limit"
    assert Source.objects.count() == 0


@pytest.mark.parametrize(
    ("size", "printed"),
    [(1, "1 byte"), (100, "100 bytes"), (2048, "2 KB"), (1536, "1.5 KB"), (10 * 1024 * 1024, "10 MB")],
)
def test_format_size(size, printed):
    assert format_size(size) == printed


@pytest.mark.django_db
def test_a_non_utf8_file_imports_with_a_warning_naming_the_encoding():
    outcome = import_file(data=PIER.encode("cp1252"), filename="pier.txt")
    assert outcome.status == "created"
    assert outcome.warnings == ["decoded as windows-1252, not UTF-8"]
    assert outcome.revision.encoding == "windows-1252"
    assert "“temporary”" in outcome.revision.text


@pytest.mark.django_db
def test_an_unreadable_date_is_a_warning_not_a_failure():
    outcome = import_text(PIER.replace("09:05,03-04-2023", "25:61,03-04-2023"))
    assert outcome.status == "created"
    assert outcome.source.updated_at is None
    assert outcome.warnings == ["line 1: cannot read the date in “Updated at 25:61,03-04-2023”; imported without it"]


@pytest.mark.django_db
def test_an_error_while_saving_rolls_the_whole_file_back(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Byline, "save", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_text(PIER, publisher="The Coastal Courier")
    assert set(row_counts().values()) == {0}


@pytest.mark.django_db
def test_an_error_while_saving_a_new_revision_keeps_the_old_one_current(monkeypatch):
    first = import_text(PIER).revision

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Byline, "save", fail)
    with pytest.raises(RuntimeError):
        import_text(PIER_CHANGED)
    source = Source.objects.get()
    assert list(source.revisions.values_list("number", flat=True)) == [1]
    assert source.current_revision == first


# Re-import


@pytest.mark.django_db
def test_reimport_of_identical_text_is_unchanged_and_writes_nothing(revisions_added):
    first = import_text(PIER, publisher="The Coastal Courier")
    before = row_counts()
    with CaptureQueriesContext(connection) as queries:
        outcome = import_text(PIER, filename="again.txt", publisher="The Coastal Courier")
    assert outcome.status == "unchanged"
    assert str(outcome) == "again.txt: unchanged — “Harbour board approves repairs to the northern pier” (revision 1)"
    assert outcome.source == first.source
    assert outcome.revision == first.revision
    assert row_counts() == before
    assert write_queries(queries.captured_queries) == []
    assert revisions_added == []


@pytest.mark.django_db
def test_reimport_of_changed_text_adds_revision(revisions_added):
    first = import_text(PIER).revision
    outcome = import_text(PIER_CHANGED.replace("Coastal affairs", "Harbour news"), filename="pier-v2.txt")

    assert outcome.status == "new revision"
    assert str(outcome).endswith("(revision 2)")
    source = Source.objects.get()
    assert list(source.revisions.values_list("number", flat=True)) == [1, 2]
    assert source.current_revision == outcome.revision
    assert source.section == "Harbour news"  # metadata follows the newest capture
    first.refresh_from_db()
    assert first.text.endswith("for a decade.")  # the old revision is kept as it was
    assert outcome.revision.text.endswith("nobody asked them.")
    assert outcome.revision.origin == "pier-v2.txt"
    assert revisions_added == [(outcome.revision, first)]


@pytest.mark.django_db
def test_reimport_updates_title_byline_authors_and_update_time():
    import_text(PIER)
    changed = (
        PIER_CHANGED.replace("09:05,03-04-2023", "18:40,03-04-2023")
        .replace("Anna Lindqvist in Stockholm and Karim Haddad in Beirut", "By Mei Tanaka and Anna Lindqvist")
        .replace("repairs to the northern pier", "REPAIRS TO THE NORTHERN PIER")  # same title, ignoring case
    )
    outcome = import_text(changed)
    assert outcome.status == "new revision"
    source = Source.objects.get()
    assert source.title == "Harbour board approves REPAIRS TO THE NORTHERN PIER"
    assert source.byline == "By Mei Tanaka and Anna Lindqvist"
    assert [(b.author.name, b.location) for b in source.ordered_bylines()] == [
        ("Mei Tanaka", ""),
        ("Anna Lindqvist", ""),
    ]
    assert source.updated_at == datetime(2023, 4, 3, 18, 40, tzinfo=UTC)
    assert source.current_revision.publisher_updated_at == source.updated_at
    assert source.revisions.get(number=1).publisher_updated_at == datetime(2023, 4, 3, 9, 5, tzinfo=UTC)


@pytest.mark.django_db
def test_reimport_of_an_earlier_revisions_text_is_unchanged():
    import_text(PIER)
    import_text(PIER_CHANGED)
    outcome = import_text(PIER)
    assert outcome.status == "unchanged"
    assert outcome.revision.number == 1
    assert Revision.objects.count() == 2


@pytest.mark.django_db
def test_the_same_url_is_the_same_source_even_under_a_new_headline():
    front = "---\ntitle: {title}\nurl: https://courier.example.org/pier\n---\n{text}\n"
    import_file(data=front.format(title="Pier repairs", text="First text.").encode(), filename="a.md")
    outcome = import_file(data=front.format(title="Pier repairs delayed", text="New text.").encode(), filename="b.md")
    assert outcome.status == "new revision"
    assert Source.objects.get().title == "Pier repairs delayed"


@pytest.mark.django_db
def test_a_different_title_or_publisher_is_a_different_source():
    import_text(PIER, publisher="The Coastal Courier")
    other_title = import_text(PIER_CHANGED.replace("northern pier", "southern pier"), publisher="The Coastal Courier")
    other_publisher = import_text(PIER_CHANGED, publisher="Island Post")
    assert other_title.status == "created"
    assert other_publisher.status == "created"
    assert Source.objects.count() == 3


@pytest.mark.django_db
def test_a_new_headline_over_identical_text_is_unchanged_not_a_duplicate():
    import_text(PIER)
    outcome = import_text(PIER.replace("Harbour board approves", "Board approves"))
    assert outcome.status == "unchanged"
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_a_failing_revision_added_receiver_rolls_the_new_revision_back():
    import_text(PIER)

    def receiver(sender, revision, previous, **kwargs):
        raise RuntimeError("re-anchoring failed")

    revision_added.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            import_text(PIER_CHANGED)
    finally:
        revision_added.disconnect(receiver)
    assert Revision.objects.count() == 1
    assert Source.objects.get().current_revision.number == 1


# Dry runs


@pytest.mark.django_db
def test_dry_run_reports_created_and_writes_nothing():
    with CaptureQueriesContext(connection) as queries:
        outcome = import_text(PIER, publisher="The Coastal Courier", dry_run=True)
    assert outcome.status == "created"
    assert str(outcome).endswith("(revision 1) [dry run: not saved]")
    assert write_queries(queries.captured_queries) == []
    assert set(row_counts().values()) == {0}


@pytest.mark.django_db
def test_dry_run_reports_a_new_revision_and_unchanged_without_writing():
    import_text(PIER)
    before = row_counts()
    changed = import_text(PIER_CHANGED, dry_run=True)
    same = import_text(PIER, dry_run=True)
    assert (changed.status, changed.revision_number) == ("new revision", 2)
    assert same.status == "unchanged"
    assert row_counts() == before


@pytest.mark.django_db
def test_a_dry_run_over_several_files_sees_what_the_earlier_ones_would_save(tmp_path):
    import_text(PIER)  # already in the database
    (tmp_path / "1-first.txt").write_text(PIER_CHANGED)
    (tmp_path / "2-again.txt").write_text(PIER_CHANGED)
    (tmp_path / "3-new.md").write_text("---\ntitle: Roof\nurl: https://example.org/roof\n---\nOne.\n")
    (tmp_path / "4-update.md").write_text("---\ntitle: Roof mended\nurl: https://example.org/roof\n---\nTwo.\n")
    before = row_counts()

    outcomes = list(import_paths([tmp_path], dry_run=True))

    assert [(o.status, o.revision_number) for o in outcomes] == [
        ("new revision", 2),
        ("unchanged", 2),
        ("created", 1),
        ("new revision", 2),
    ]
    assert row_counts() == before


@pytest.mark.django_db
def test_dry_run_reports_the_failures_a_real_run_would_hit():
    outcome = import_file(data=b"---\ntitle: Roof\nurl: nowhere\n---\nText.\n", filename="a.md", dry_run=True)
    assert outcome.status == "failed"
    assert outcome.message == "invalid url: Enter a valid URL."


# Files and folders


@pytest.mark.django_db
def test_import_paths_reads_folders_in_order_skipping_hidden_files(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "second.txt").write_text(PIER_CHANGED.replace("northern", "western"))
    (tmp_path / "a.txt").write_text(PIER)
    (tmp_path / ".hidden.txt").write_text(PIER)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text(PIER)
    (tmp_path / "empty.txt").write_bytes(b"")

    outcomes = list(import_paths([tmp_path, tmp_path / "missing.txt"]))

    assert [(Path(o.filename).relative_to(tmp_path).as_posix(), o.status) for o in outcomes[:3]] == [
        ("a.txt", "created"),
        ("b/second.txt", "created"),
        ("empty.txt", "failed"),
    ]
    assert outcomes[3].filename == str(tmp_path / "missing.txt")
    assert outcomes[3].message == "no such file or directory"
    assert Source.objects.count() == 2


@pytest.mark.django_db
def test_import_paths_checks_the_size_before_reading_the_file(tmp_path, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1024
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 4096)

    def refuse_to_read(self):
        raise AssertionError(f"{self} was read")

    monkeypatch.setattr(Path, "read_bytes", refuse_to_read)
    [outcome] = import_paths([big])
    assert outcome.message == "file is 4 KB, over the 1 KB import limit"


def test_outcome_lines_for_each_status():
    assert str(ImportOutcome("a.txt", "failed", message="empty file")) == "a.txt: failed: empty file"
    assert (
        str(ImportOutcome("a.txt", "created", title="Roof", revision_number=1))
        == "a.txt: created — “Roof” (revision 1)"
    )


def test_services_module_exposes_the_documented_functions():
    assert callable(services.import_file)
    assert callable(services.import_paths)
    assert callable(services.reverify_revision)


@pytest.mark.django_db
def test_readme_files_inside_a_folder_are_skipped_but_one_named_alone_is_imported(tmp_path):
    (tmp_path / "a.txt").write_text(PIER)
    (tmp_path / "README.md").write_text("# About these files\n\nThey are examples.\n")
    (tmp_path / "readme.txt").write_text("Notes\n\nNothing to import here at all.\n")

    in_folder = list(import_paths([tmp_path]))
    alone = list(import_paths([tmp_path / "README.md"]))

    assert [Path(o.filename).name for o in in_folder] == ["a.txt"]
    assert [(Path(o.filename).name, o.status) for o in alone] == [("README.md", "created")]


# Text that cannot be stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "message"),
    [
        # YAML's double-quoted strings spell NUL and lone surrogates as escapes.
        ('---\ntitle: "Roof\\0 repaired"\n---\nText.\n', "field title: contains a NUL character at position 4"),
        (
            '---\ntitle: Roof\ntags: ["\\ud800"]\n---\nText.\n',
            "field tags[0]: contains an unpaired surrogate (U+D800) at position 0",
        ),
        ('---\ntitle: Roof\nsection: "\\0"\n---\nText.\n', "field section: contains a NUL character at position 0"),
    ],
)
def test_a_nul_or_surrogate_from_front_matter_fails_naming_the_field(document, message):
    outcome = import_file(data=document.encode(), filename="roof.md")

    assert (outcome.status, outcome.message) == ("failed", message)
    assert row_counts() == dict.fromkeys(row_counts(), 0)


@pytest.mark.django_db
def test_a_nul_past_the_start_of_a_file_fails_naming_the_body_text():
    # The binary-file check reads the first 8 KB only.
    data = PIER.encode() + b"More text.\n\n" * 1000 + b"A \x00 late NUL.\n"

    outcome = import_file(data=data, filename="pier.txt")

    assert outcome.status == "failed"
    assert outcome.message.startswith("field text: contains a NUL character at position ")
    assert Source.objects.count() == 0


@pytest.mark.django_db
def test_a_file_name_that_is_not_utf8_is_recorded_with_replacement_characters(tmp_path):
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(name, "wb") as file:
        file.write(PIER.encode())

    [outcome] = import_paths([tmp_path])

    assert outcome.status == "created"
    assert outcome.filename == f"{tmp_path}/caf\ufffd.txt"
    assert Revision.objects.get().origin == outcome.filename


@pytest.mark.django_db
def test_a_publisher_argument_that_cannot_be_stored_fails_the_file():
    # A command-line argument that is not UTF-8 comes with surrogates in it.
    outcome = import_text(PIER, publisher="Harbour \udcff Gazette")

    assert outcome.status == "failed"
    assert outcome.message == (
        "field publisher (given for the import): contains an unpaired surrogate (U+DCFF) at position 8"
    )
    assert Publisher.objects.count() == 0


# Symbolic links in folders


@pytest.fixture
def linked_folder(tmp_path):
    """A folder with links out of it (a file, its parent), a loop, and links to files inside it."""
    outside = tmp_path / "outside.txt"
    outside.write_text(PIER)
    folder = tmp_path / "stories"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(PIER)
    (folder / "sub" / "b.txt").write_text(PIER_CHANGED.replace("northern", "western"))
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "up").symlink_to("..")
    (folder / "again").symlink_to(".")
    (folder / "c-link.txt").symlink_to("sub/b.txt")
    (folder / "z-link").symlink_to("sub")
    return folder


def relative_outcomes(outcomes, folder):
    return [(Path(o.filename).relative_to(folder).as_posix(), o.status, o.message) for o in outcomes]


@pytest.mark.django_db
def test_a_folder_import_skips_links_out_of_the_folder_and_reads_each_file_once(linked_folder):
    outcomes = list(import_paths([linked_folder]))

    assert relative_outcomes(outcomes, linked_folder) == [
        ("a.txt", "created", ""),
        ("again", "skipped", f"the same folder as {linked_folder}, read already"),
        ("c-link.txt", "created", ""),
        ("passwd.txt", "skipped", "symbolic link to a path outside the folder"),
        ("sub/b.txt", "skipped", f"the same file as {linked_folder / 'c-link.txt'}, read already"),
        ("up", "skipped", "symbolic link to a path outside the folder"),
        ("z-link", "skipped", f"the same folder as {linked_folder / 'sub'}, read already"),
    ]
    assert Source.objects.count() == 2
    assert not Revision.objects.filter(origin__contains="outside").exists()
    assert str(outcomes[3]) == f"{linked_folder / 'passwd.txt'}: skipped: symbolic link to a path outside the folder"


@pytest.mark.django_db
def test_a_link_named_on_its_own_is_followed(linked_folder):
    [outcome] = import_paths([linked_folder / "passwd.txt"])

    assert outcome.status == "created"


@pytest.mark.django_db
def test_a_loop_of_links_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(PIER)
    (tmp_path / "loop-one").symlink_to("loop-two")
    (tmp_path / "loop-two").symlink_to("loop-one")

    outcomes = list(import_paths([tmp_path]))

    assert relative_outcomes(outcomes, tmp_path) == [
        ("a.txt", "created", ""),
        ("loop-one", "skipped", "symbolic link that leads round in a loop"),
        ("loop-two", "skipped", "symbolic link that leads round in a loop"),
    ]
