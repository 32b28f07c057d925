def pytest_terminal_summary(terminalreporter):
    """Print the import corpus's score (``tests/sources/test_corpus.py``) when its files were read."""
    from tests.sources.test_corpus import corpus_score

    checked = sum(total for _, total in corpus_score.values())
    if not checked:
        return
    right = sum(count for count, _ in corpus_score.values())
    fields = ", ".join(f"{name} {count}/{total}" for name, (count, total) in corpus_score.items() if total)
    terminalreporter.write_line(f"import corpus: {right}/{checked} fields read right ({fields})")
