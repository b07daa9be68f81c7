"""One vocabulary (issue 14): every code has a screen and a letter label; the calculations, the schemas,
the screens and the letters use the same codes and the same Japanese for one concept."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from calculations import contract, moving, vocabulary
from calculations.vocabulary import ENUMS, LABELS

ROOT = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_screen_and_a_letter_label_in_japanese(enum: type) -> None:
    for member in enum:
        entry = LABELS[member]
        assert JAPANESE.search(entry.screen) and JAPANESE.search(entry.letter), member
        assert not re.search(r"\b(R\d+|PD\d+)\b", entry.screen + entry.letter), member


def test_the_calculations_tuples_are_the_vocabulary() -> None:
    assert contract.INCOME_KINDS == tuple(vocabulary.IncomeKind)
    assert contract.RELATIONSHIPS == tuple(vocabulary.Relationship)
    assert contract.TRIGGER_KINDS == tuple(vocabulary.TriggerKind)
    assert moving.ELIGIBLE_CATEGORIES + moving.EXCLUDED_CATEGORIES == tuple(vocabulary.MovingCostCategory)


def test_the_schemas_accept_exactly_the_vocabulary() -> None:
    from service.schemas import applications, decisions

    def literal(model: typing.Any, field: str) -> set[str]:
        annotation = model.model_fields[field].annotation
        return {a for arg in typing.get_args(annotation) for a in typing.get_args(arg)} or set(
            typing.get_args(annotation))

    assert literal(applications.PayeeIn, "account_type") == set(vocabulary.AccountType)
    assert literal(applications.PayeeIn, "payee_kind") == set(vocabulary.PayeeKind) - {"recipient"}
    assert literal(applications.TriggerIn, "kind") == set(vocabulary.TriggerKind)
    assert set(typing.get_args(decisions.DecisionKind)) == set(vocabulary.DecisionKind)


def test_screens_and_letters_name_a_concept_alike() -> None:
    from letters.content import STOP_CAUSE_TEXT
    from service.web import labels

    # the screens read the vocabulary
    assert labels.STOP_CAUSE == vocabulary.screen_labels(vocabulary.StopCause)
    assert labels.DECISION_KIND == vocabulary.screen_labels(vocabulary.DecisionKind)
    assert labels.MOVING_COST == vocabulary.screen_labels(vocabulary.MovingCostCategory)
    # the stop notice words each cause as the vocabulary's letter label does
    assert {str(k): v for k, v in STOP_CAUSE_TEXT.items()} == vocabulary.letter_labels(vocabulary.StopCause)
    # 支給対象者証明書 is the one name of the certificate: on screens, in letters, in messages
    sources = [*(ROOT / "service" / "web" / "templates").glob("*.html"), ROOT / "service" / "web" / "labels.py",
               ROOT / "service" / "error_catalogue.py", *(ROOT / "letters").glob("*.py")]
    for path in sources:
        assert "受給資格証明" not in path.read_text(encoding="utf-8"), path
    assert "支給対象者証明書" in vocabulary.LABELS[vocabulary.DecisionKind.eligibility_certificate].screen


def test_municipality_names_come_from_the_rate_data() -> None:
    from calculations.rate_book import load_rate_book
    from service.web import labels

    book = load_rate_book()
    assert set(labels.MUNICIPALITY) == set(book.municipalities)  # every municipality (PD25)
    for code, name in labels.MUNICIPALITY.items():
        found = book.municipalities[code]
        assert name == f"{found.prefecture}{found.name}{found.ward}", code
    assert labels.MUNICIPALITY["131016"] == "東京都千代田区" and labels.MUNICIPALITY["141003"] == "神奈川県横浜市"
    # no hand-typed copy of the names in the screens' labels: they are read from municipalities.csv
    assert '"131016": "千代田区"' not in (ROOT / "service" / "web" / "labels.py").read_text(encoding="utf-8")


def test_every_kind_of_letter_has_its_japanese_name_on_the_screens() -> None:
    from letters.model import LetterType
    from service.web import labels

    assert set(labels.LETTER_TYPE) == {member.value for member in LetterType}
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name) for name in labels.LETTER_TYPE.values())
