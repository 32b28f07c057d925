"""``manage.py import_sources``: one line per file, a summary, exit status 1 when a file failed."""

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.models import Publisher, Revision, Source

GOOD = """Lighthouse gets a new keeper

By Mei Tanaka

The lighthouse on the point has a new keeper for the first time in forty years.
"""
UNDATED = """Updated at some point,03-04-2023

Ferry timetable changes

The morning ferry will leave half an hour later from Monday.
"""


def run(*args):
    out = StringIO()
    try:
        call_command("import_sources", *map(str, args), stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    (tmp_path / "undated.txt").write_text(UNDATED)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    return tmp_path


@pytest.mark.django_db
def test_a_folder_of_good_and_bad_files_imports_the_good_and_exits_with_status_1(folder):
    output, error = run(folder)
    lines = output.splitlines()
    assert lines[0] == f"{folder / 'empty.txt'}: failed: empty file"
    assert lines[1] == f"{folder / 'good.txt'}: created — “Lighthouse gets a new keeper” (revision 1)"
    assert lines[2] == f"{folder / 'image.png'}: failed: binary file, not text (looks like PNG image)"
    assert lines[3] == f"{folder / 'undated.txt'}: created — “Ferry timetable changes” (revision 1)"
    assert lines[4].startswith("    warning: line 1: cannot read the date")
    assert lines[5] == "4 files: 2 created, 0 new revision, 0 unchanged, 2 failed."
    assert str(error) == "2 of 4 files failed to import."
    assert error.returncode == 1
    assert Source.objects.count() == 2


@pytest.mark.django_db
def test_a_second_run_reports_unchanged_and_succeeds(tmp_path):
    story = tmp_path / "good.txt"
    story.write_text(GOOD)
    run(story)
    output, error = run(story)
    assert error is None
    assert output.splitlines() == [
        f"{story}: unchanged — “Lighthouse gets a new keeper” (revision 1)",
        "1 file: 0 created, 0 new revision, 0 unchanged, 0 failed.".replace("0 unchanged", "1 unchanged"),
    ]


@pytest.mark.django_db
def test_a_changed_file_is_reported_as_a_new_revision(tmp_path):
    story = tmp_path / "good.txt"
    story.write_text(GOOD)
    run(story)
    story.write_text(GOOD + "\nHe starts on Monday.\n")
    output, error = run(story)
    assert error is None
    assert output.splitlines()[0] == f"{story}: new revision — “Lighthouse gets a new keeper” (revision 2)"
    assert Revision.objects.count() == 2


@pytest.mark.django_db
def test_a_path_that_does_not_exist_is_a_failed_line(tmp_path):
    story = tmp_path / "good.txt"
    story.write_text(GOOD)
    output, error = run(tmp_path / "nowhere.txt", story)
    assert output.splitlines()[:2] == [
        f"{tmp_path / 'nowhere.txt'}: failed: no such file or directory",
        f"{story}: created — “Lighthouse gets a new keeper” (revision 1)",
    ]
    assert error.returncode == 1
    assert Source.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_writes_nothing(folder):
    output, error = run(folder, "--dry-run")
    assert (
        f"{folder / 'good.txt'}: created — “Lighthouse gets a new keeper” (revision 1) [dry run: not saved]" in output
    )
    assert "Dry run, nothing saved: 4 files: 2 created, 0 new revision, 0 unchanged, 2 failed." in output
    assert error.returncode == 1
    assert Source.objects.count() == 0
    assert Revision.objects.count() == 0


@pytest.mark.django_db
def test_format_and_publisher_options(tmp_path):
    story = tmp_path / "story.dat"
    story.write_text(GOOD)
    output, error = run(story, "--format", "text", "--publisher", "Island Post")
    assert error is None, output
    assert Source.objects.get().publisher == Publisher.objects.get(name="Island Post")


def test_an_unknown_format_is_refused_by_the_argument_parser(tmp_path):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_sources", str(tmp_path), "--format", "docx")


@pytest.mark.django_db
def test_links_out_of_a_folder_are_named_as_skipped_and_do_not_fail_the_command(tmp_path):
    (tmp_path / "secret.txt").write_text(UNDATED)
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD)
    (folder / "secret.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "up").symlink_to("..")

    output, error = run(folder)

    assert error is None, output
    assert output.splitlines() == [
        f"{folder / 'good.txt'}: created — “Lighthouse gets a new keeper” (revision 1)",
        f"{folder / 'secret.txt'}: skipped: symbolic link to a path outside the folder",
        f"{folder / 'up'}: skipped: symbolic link to a path outside the folder",
        "3 files: 1 created, 0 new revision, 0 unchanged, 0 failed, 2 skipped.",
    ]
    assert Source.objects.get().title == "Lighthouse gets a new keeper"


@pytest.mark.django_db
def test_a_yaml_alias_bomb_is_refused_quickly_with_a_short_line(tmp_path):
    bomb = Path(__file__).parent / "fixtures" / "alias_bomb.md"  # 380 bytes standing for 9**9 strings
    started = time.monotonic()

    output, error = run(bomb)

    assert time.monotonic() - started < 5
    assert output.splitlines()[0] == (
        f"{bomb}: failed: line 3: YAML front matter: anchors and aliases (&name, *name) are not allowed"
    )
    assert len(output) < 500
    assert error.returncode == 1
