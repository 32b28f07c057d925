"""What the admin shows of claims is escaped: statements, excerpts, titles and speakers."""

import pytest
from django.urls import reverse

from editorial.admin.sources import citing_claims_html
from editorial.services.citations import cite
from tests.editorial.admin.helpers import ESCAPED_SCRIPT, QUEUE, SCRIPT, change_page, changelist
from tests.factories import make_claim, make_source, make_speaker

pytestmark = pytest.mark.django_db


def test_statements_excerpts_titles_and_speakers_are_escaped_everywhere(moderator_client, editor):
    text = f"Before {SCRIPT} the <b>passage</b> after."
    source = make_source(f"Title {SCRIPT}", text)
    claim = make_claim(f"Statement {SCRIPT}", speaker=make_speaker(f"Speaker {SCRIPT}"), tags=["<i>tag</i>"])
    cite(claim=claim, revision=source.current_revision, excerpt=f"{SCRIPT} the <b>passage</b>")
    claim.submit(editor)

    pages = [
        changelist(moderator_client),
        change_page(moderator_client, claim),
        moderator_client.get(reverse(QUEUE)),
    ]
    for response in pages:
        html = response.content.decode()
        assert SCRIPT not in html, response.request["PATH_INFO"]
        assert "<b>passage</b>" not in html
        assert ESCAPED_SCRIPT in html

    assert (
        "<mark>&lt;script&gt;alert(1)&lt;/script&gt; the &lt;b&gt;passage&lt;/b&gt;</mark>" in pages[1].content.decode()
    )
    html = str(citing_claims_html(source))
    assert SCRIPT not in html and ESCAPED_SCRIPT in html
