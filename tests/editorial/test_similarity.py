"""The similarity rules: facts read and compared, duplicates versus conflicts, dismissals, query counts."""

import pytest
from django.db import IntegrityError, connection
from django.db.models import Q

from editorial.models import ClaimRelation, PublicEntry, SimilarityDismissal
from editorial.similarity import (
    has_likely_duplicate,
    similar_for_claims,
    similar_to_claim,
    similar_to_statement,
)
from editorial.similarity.facts import compare, read_facts, read_names, read_numbers
from editorial.similarity.service import compare as compare_statements
from tests.factories import make_claim, make_user


def differences(first, second):
    return compare(read_facts(first), read_facts(second))


# Facts ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("3.2 million", 3_200_000, "number"),
        ("3,200,000", 3_200_000, "number"),
        ("$5bn", 5e9, "dollars"),
        ("5 billion dollars", 5e9, "dollars"),
        ("£1.5m", 1_500_000, "pounds"),
        ("12%", 12, "percent"),
        ("12 per cent", 12, "percent"),
        ("12 percent", 12, "percent"),
        ("2019", 2019, "year"),
        ("twelve", 12, "number"),
        ("Sixty-one", 61, "number"),
    ],
)
def test_numbers_are_read_with_their_scale_and_unit(text, value, kind):
    (number,) = read_numbers(f"It was {text} in all.")

    assert number.value == pytest.approx(value)
    assert number.kind == kind


def test_the_same_figure_written_differently_is_no_difference():
    assert differences("Exports rose 12% to $5bn.", "Exports rose 12 per cent to 5 billion dollars.") == ()
    assert differences("It has 3,200,000 people.", "It has 3.2 million people.") == ()


def test_other_numbers_are_named_in_the_difference():
    assert differences("The fund is worth 3.2 million euros.", "The fund is worth 2.3 million euros.") == (
        "numbers differ: 3.2 million euros / 2.3 million euros",
    )
    assert differences("Turnout was 38%.", "Turnout was 83%.") == ("percentages differ: 38% / 83%",)
    assert differences("The tunnel opened in 1998.", "The tunnel opened in 2008.") == ("years differ: 1998 / 2008",)


def test_a_figure_on_one_side_only_is_a_detail_not_a_difference():
    assert differences("The population grew to 3.2 million.", "The population grew to 3.2 million in 2019.") == ()


def test_swapped_figures_of_a_score_or_vote_differ():
    assert differences("They won 31 to 12.", "They won 12 to 31.") == ("order differs: 31 to 12 / 12 to 31",)
    assert differences("Passed by 31 votes to 12.", "Passed by 12 votes to 31.") == (
        "order differs: 31 to 12 / 12 to 31",
    )
    assert differences("Griffin beat Harlow 4-2.", "Griffin beat Harlow 4-2 at home.") == ()


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("The council will raise fees.", "The council will not raise fees.", "negation: will / will not"),
        ("The clinic won't close.", "The clinic will close.", "negation: will not / will"),
        ("The bank has never paid a dividend.", "The bank has paid a dividend.", "negation: has never / has"),
        ("Farmers can no longer sell abroad.", "Farmers can sell abroad.", "negation: can no longer / can"),
        ("Twelve villages lack clean water.", "Twelve villages have clean water.", "negation: lack / affirms"),
    ],
)
def test_negation_differs(first, second, expected):
    assert differences(first, second) == (expected,)


def test_negation_moved_or_doubled_is_no_difference():
    assert differences("The plant will not reopen.", "It is not true that the plant will reopen.") == ()
    assert differences("The plant will not reopen.", "The plant won't reopen.") == ()
    assert differences("Not only wages but also rents rose.", "Wages and rents rose.") == ()


def test_names_are_capitalised_runs_not_at_the_start_of_a_sentence():
    assert read_names("Officials in Berlin say the Bank of England and Anna Berg agree.") == [
        "Berlin",
        "Bank of England",
        "Anna Berg",
    ]
    assert read_names("New Zealand's minister spoke.") == ["New Zealand"]
    assert read_names("In May the Quill Street market moves.") == ["May", "Quill Street"]


def test_other_names_differ_but_a_part_of_a_name_or_an_extra_name_does_not():
    assert differences("The festival moves to Lyon.", "The festival moves to Porto.") == ("names differ: Lyon / Porto",)
    assert differences("Minister Anna Berg spoke.", "The minister, Berg, spoke.") == ()
    assert differences("The festival moves next year.", "The festival moves to Porto next year.") == ()


# Duplicates versus conflicts ---------------------------------------------------------------------------


def test_the_same_fact_in_other_words_is_a_likely_duplicate():
    found = compare_statements(
        "Police in Kettering Bay recorded 112 burglaries in January.",
        "In January, 112 burglaries were recorded by police in Kettering Bay.",
    )

    assert found.duplicate is True
    assert found.conflict is False
    assert found.differences == ()
    assert found.score > 0.9


def test_the_same_words_with_another_fact_is_a_conflict_never_a_duplicate():
    found = compare_statements("The fund is worth 3.2 million euros.", "The fund is worth 2.3 million euros.")

    assert found.duplicate is False
    assert found.conflict is True
    assert found.differences == ("numbers differ: 3.2 million euros / 2.3 million euros",)


def test_sharing_a_place_and_a_subject_is_not_a_duplicate():
    found = compare_statements(
        "The health minister said the Tarrow clinic will close.", "The Tarrow clinic has a new director."
    )

    assert found.duplicate is False
    assert found.conflict is False


# The service ---------------------------------------------------------------------------------------


@pytest.fixture
def harbour(db):
    return {
        "original": make_claim("The harbour of Tromsø handled 4.1 million tonnes of cargo in 2023."),
        "reworded": make_claim("In 2023 the Tromsø harbour handled 4.1 million tonnes of cargo."),
        "changed": make_claim("The harbour of Tromsø handled 1.4 million tonnes of cargo in 2023."),
        "unrelated": make_claim("A choir from Bergen sang at the opening of the concert hall."),
    }


def test_similar_to_claim_finds_the_duplicate_first_and_never_the_claim_itself(harbour):
    found = similar_to_claim(harbour["original"])

    assert [item.claim_id for item in found[:2]] == [harbour["reworded"].pk, harbour["changed"].pk]
    assert found[0].duplicate and not found[0].conflict
    assert found[1].conflict and not found[1].duplicate
    assert harbour["original"].pk not in [item.claim_id for item in found]
    assert similar_to_claim(harbour["original"].pk) == found


def test_similar_to_statement_works_before_the_claim_exists_and_leaves_out_excluded(harbour):
    found = similar_to_statement(
        "Tromsø harbour handled 4.1 million tonnes of cargo in 2023", exclude=[harbour["reworded"].pk]
    )

    assert found[0].claim_id == harbour["original"].pk
    assert harbour["reworded"].pk not in [item.claim_id for item in found]
    assert similar_to_statement("   ") == []


def test_dismissed_pairs_are_left_out_from_either_side_unless_asked_for(harbour):
    editor = make_user("editor-sim")
    SimilarityDismissal.dismiss(harbour["reworded"], harbour["original"], editor)

    assert harbour["reworded"].pk not in [item.claim_id for item in similar_to_claim(harbour["original"])]
    assert harbour["original"].pk not in [item.claim_id for item in similar_to_claim(harbour["reworded"])]
    included = similar_to_claim(harbour["original"], include_dismissed=True)
    assert harbour["reworded"].pk in [item.claim_id for item in included]
    assert harbour["reworded"].pk not in [
        item.claim_id for item in similar_for_claims([harbour["original"].pk])[harbour["original"].pk]
    ]


def test_public_search_reads_only_the_listed_approved_statements(harbour):
    from django.utils import timezone

    now = timezone.now()
    # The approved text differs from the editor's current one; only the approved one may be searched.
    PublicEntry.objects.create(
        claim=harbour["changed"],
        listed=True,
        statement="Tromsø's harbour handled 4.1 million tonnes of cargo in 2023.",
        slug="x",
        published_at=now,
        approved_at=now,
    )
    PublicEntry.objects.create(
        claim=harbour["reworded"],
        listed=False,
        statement=harbour["reworded"].statement,
        slug="y",
        published_at=now,
        approved_at=now,
    )

    found = similar_to_statement("The harbour of Tromsø handled 4.1 million tonnes of cargo in 2023.", public=True)

    assert [item.claim_id for item in found] == [harbour["changed"].pk]
    assert found[0].statement == "Tromsø's harbour handled 4.1 million tonnes of cargo in 2023."
    assert found[0].duplicate
    assert similar_to_claim(harbour["original"], public=True) == []  # not public itself


def test_a_page_of_claims_costs_a_fixed_number_of_queries(harbour, django_assert_max_num_queries):
    more = [make_claim(f"The harbour of Tromsø handled {n} ships in 2023.") for n in range(10, 30)]
    ids = [claim.pk for claim in harbour.values()] + [claim.pk for claim in more]
    similar_for_claims(ids[:2])  # the PostgreSQL backend checks once whether pg_trgm is installed

    with django_assert_max_num_queries(5):
        found = similar_for_claims(ids)

    assert set(found) == set(ids)
    assert found[harbour["original"].pk][0].claim_id == harbour["reworded"].pk


def test_has_likely_duplicate_ignores_related_and_dismissed_pairs(harbour):
    ids = [claim.pk for claim in harbour.values()]

    assert has_likely_duplicate(ids) == {harbour["original"].pk, harbour["reworded"].pk}

    ClaimRelation.objects.create(from_claim=harbour["reworded"], to_claim=harbour["original"], kind="duplicates")
    assert has_likely_duplicate(ids) == set()

    ClaimRelation.objects.all().delete()
    SimilarityDismissal.dismiss(harbour["original"], harbour["reworded"], None)
    assert has_likely_duplicate(ids) == set()
    assert has_likely_duplicate([]) == set()


# Dismissals ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dismissal_is_stored_once_lower_id_first():
    first, second, third = make_claim(), make_claim(), make_claim()
    editor = make_user("dismisser")

    dismissal = SimilarityDismissal.dismiss(second, first.pk, editor)
    again = SimilarityDismissal.dismiss(first, second, None)

    assert (dismissal.claim_id, dismissal.other_id) == (first.pk, second.pk)
    assert again.pk == dismissal.pk
    assert again.dismissed_by == editor
    assert SimilarityDismissal.objects.count() == 1
    assert SimilarityDismissal.pairs_for([second.pk]) == {(first.pk, second.pk)}
    assert SimilarityDismissal.pairs_for([third.pk]) == set()
    assert SimilarityDismissal.pairs_for([]) == set()


@pytest.mark.django_db
def test_a_claim_cannot_be_dismissed_against_itself_nor_stored_out_of_order():
    first, second = make_claim(), make_claim()

    with pytest.raises(ValueError, match=f"Claim {first.pk} cannot be dismissed as similar to itself"):
        SimilarityDismissal.dismiss(first, first, None)
    with pytest.raises(IntegrityError):
        SimilarityDismissal.objects.create(claim=second, other=first)


@pytest.mark.django_db
def test_dismissals_go_with_either_claim():
    first, second = make_claim(), make_claim()
    SimilarityDismissal.dismiss(first, second, None)

    second.delete()

    assert not SimilarityDismissal.objects.filter(Q(claim=first) | Q(other=first)).exists()


# PostgreSQL without pg_trgm ----------------------------------------------------------------------------

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")


@postgresql_only
def test_without_pg_trgm_claims_are_found_by_shared_words(harbour, monkeypatch):
    from editorial.similarity import postgres

    monkeypatch.setattr(postgres, "trigram_available", lambda using=None: False)

    found = similar_to_claim(harbour["original"])

    assert [item.claim_id for item in found[:2]] == [harbour["reworded"].pk, harbour["changed"].pk]
    assert found[0].duplicate


@postgresql_only
@pytest.mark.django_db
def test_the_migration_goes_on_when_pg_trgm_cannot_be_created(caplog):
    import importlib

    migration = importlib.import_module("editorial.migrations.0015_similarity")

    class NoExtensions:
        """A schema editor whose role may not create extensions, as on a managed database."""

        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            if sql.startswith("CREATE EXTENSION"):
                sql = "CREATE EXTENSION no_such_extension_for_this_test"  # a real error, as a refusal is
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.create_indexes(None, NoExtensions())

    assert "pg_trgm could not be installed" in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # the transaction is still usable


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the word shares are PostgreSQL's statistics")
@pytest.mark.django_db
def test_the_public_search_leaves_out_words_common_among_the_claims(monkeypatch):
    from editorial.similarity import postgres

    # As ANALYZE would count them: "council" and "libraries" in a third of a million claims each.
    monkeypatch.setattr(postgres, "_frequencies", lambda using=None: (1_000_000, {"council": 0.3, "libraries": 0.3}))
    chosen = []
    real = postgres._lookup_words
    monkeypatch.setattr(postgres, "_lookup_words", lambda *args: chosen.append(real(*args)) or chosen[-1])

    postgres.candidates([(1, "The council will close the Lindenhof libraries", [])], public=True, size=5)

    (words,) = chosen
    assert "lindenhof" in words
    assert "council" not in words and "libraries" not in words
