import pytest


def pytest_terminal_summary(terminalreporter):
    """Print the import corpus's score (``tests/sources/test_corpus.py``) when its files were read."""
    from tests.sources.test_corpus import corpus_score

    checked = sum(total for _, total in corpus_score.values())
    if not checked:
        return
    right = sum(count for count, _ in corpus_score.values())
    fields = ", ".join(f"{name} {count}/{total}" for name, (count, total) in corpus_score.items() if total)
    terminalreporter.write_line(f"import corpus: {right}/{checked} fields read right ({fields})")


@pytest.fixture
def site(settings, tmp_path):
    """A local web server (``tests.sources.webserver.Site``) that captures may reach; WARC files go to tmp_path."""
    from tests.sources.webserver import Site

    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = True
    settings.CAPTURE_TIMEOUT = 3
    settings.CAPTURE_PER_HOST_INTERVAL = 0  # tests/sources/test_politeness.py sets its own
    settings.MEDIA_ROOT = tmp_path / "media"
    server = Site().start()
    yield server
    server.stop()
