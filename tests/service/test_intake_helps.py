"""Intake that helps (issue 14, item 6) through the API: banks and branches from zengin-code (unknown codes
refused naming the field), 口座名義 converted to the bank's 全銀 kana, household members' names, the 社協
consent, and the bank/branch look-up endpoints."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_world import INTAKE, RENT_FACTS, World

from payments.kana import CharClass, is_zengin_text


def _intake(**payee: Any) -> dict[str, Any]:
    intake = copy.deepcopy(INTAKE)
    intake["payee"].update(payee)
    return intake


def _refused(world: World, body: dict[str, Any]) -> dict[str, Any]:
    r = world.post("agency", "/api/v1/applications", 422, json=body)
    return dict(r.json()["error"])


# --- bank and branch ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("payee", "field"), [
    ({"bank_code": "9999"}, "intake.payee.bank_code"),          # no such bank
    ({"bank_code": "0001", "branch_code": "999"}, "intake.payee.branch_code"),  # みずほ has no 999
    ({"bank_code": "0005", "branch_code": "998"}, "intake.payee.branch_code"),
])
def test_an_unknown_bank_or_branch_is_refused_naming_the_field(world: World, payee: dict[str, str],
                                                               field: str) -> None:
    error = _refused(world, {"facts": RENT_FACTS, "intake": _intake(**payee)})
    assert error["field"] == field and error["code"] == "validation_error"
    assert error["message_ja"]


def test_a_draft_cannot_be_changed_to_an_unknown_bank_either(world: World) -> None:
    app = world.post("agency", "/api/v1/applications", 201, json={"facts": RENT_FACTS, "intake": INTAKE}).json()
    r = world.client.patch(f"/api/v1/applications/{app['id']}", headers=world.h("agency"),
                           json={"intake": _intake(bank_code="9999")})
    assert r.status_code == 422 and r.json()["error"]["field"] == "intake.payee.bank_code"
    stored = world.get("agency", f"/api/v1/applications/{app['id']}", 200).json()
    assert stored["intake"]["payee"]["bank_code"] == "0001"


def test_a_known_bank_and_branch_are_kept_as_codes(world: World) -> None:
    app = world.post("agency", "/api/v1/applications", 201, json={
        "facts": RENT_FACTS, "intake": _intake(bank_code="０００９", branch_code="001")}).json()
    assert (app["intake"]["payee"]["bank_code"], app["intake"]["payee"]["branch_code"]) == ("0009", "001")


def test_a_draft_stored_with_an_unknown_bank_lists_it_before_submission(world: World) -> None:
    """Drafts saved before codes were checked: the bank code is a missing item, named at its field."""
    from sqlalchemy.orm.attributes import flag_modified

    from service.db.models import Application
    from service.db.session import unit_of_work

    app = world.apply(submit=False)
    with unit_of_work(world.client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        row = session.get(Application, app["id"])
        assert row is not None
        row.intake = {**row.intake, "payee": {**row.intake["payee"], "bank_code": "9999"}}
        flag_modified(row, "intake")
    r = world.post("agency", f"/api/v1/applications/{app['id']}/submit", 422)
    details = r.json()["error"]["details"]
    assert {"field": "intake.payee.bank_code", "message": "unknown"} in details


# --- 口座名義 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),              # hiragana → the bank's half-width kana
    ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),             # full-width katakana and space
    ("きょうこ", "ｷﾖｳｺ"),                      # small kana become large (全銀)
    ("カ)テストフドウサン", "ｶ)ﾃｽﾄﾌﾄﾞｳｻﾝ"),
    ("株式会社　てすとふどうさん", "ｶ)ﾃｽﾄﾌﾄﾞｳｻﾝ"),  # 法人略語
    ("ｶ)ﾃｽﾄﾌﾄﾞｳｻﾝ", "ｶ)ﾃｽﾄﾌﾄﾞｳｻﾝ"),            # already the bank's form: unchanged
])
def test_the_holder_name_is_converted_to_the_banks_kana(world: World, typed: str, stored: str) -> None:
    app = world.post("agency", "/api/v1/applications", 201,
                     json={"facts": RENT_FACTS, "intake": _intake(holder_kana=typed)}).json()
    assert app["intake"]["payee"]["holder_kana"] == stored


@pytest.mark.parametrize("typed", [
    "山田太郎",                  # kanji cannot be converted
    "ヤマダ゠フドウサン",          # ゠ has no 全銀 form
    "ヲノ",                       # ｦ is not in the name class
    "あ" * 31,                    # longer than the 受取人名 field (30)
    "　",                         # nothing left after conversion
])
def test_a_holder_name_that_cannot_be_converted_is_refused_naming_the_field(world: World, typed: str) -> None:
    error = _refused(world, {"facts": RENT_FACTS, "intake": _intake(holder_kana=typed)})
    assert error["field"] == "intake.payee.holder_kana"


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3093), min_size=1, max_size=30))
def test_any_hiragana_name_becomes_a_valid_zengin_name_or_is_refused_at_the_field(name: str) -> None:
    """Every hiragana but を has a 全銀 form; a kana becomes at most two (が → ｶﾞ), so a name of up to 15
    without を always fits the 30 of 受取人名 and is accepted as valid 全銀 text."""
    from pydantic import ValidationError

    from service.schemas.applications import PayeeIn

    try:
        holder = PayeeIn(holder_kana=name).holder_kana
    except ValidationError as exc:
        assert exc.errors()[0]["loc"] == ("holder_kana",)
        assert "を" in name or len(name) > 15, name
        return
    assert holder is not None and is_zengin_text(holder, CharClass.NAME) and len(holder) <= 30
    assert "を" not in name


# --- household members' names, limits ------------------------------------------------------------------


def test_household_members_have_names(world: World) -> None:
    facts = copy.deepcopy(RENT_FACTS)
    facts["household"][1]["name"] = "山田 花子"
    app = world.apply(facts)
    assert app["facts"]["household"][1]["name"] == "山田 花子"
    assert "name" not in app["facts"]["household"][0]  # the applicant's name is intake.applicant.name


def test_a_name_and_a_household_beyond_the_limits_are_refused(world: World) -> None:
    facts = copy.deepcopy(RENT_FACTS)
    facts["household"][1]["name"] = "あ" * 201
    assert _refused(world, {"facts": facts})["field"] == "facts.household.1.name"
    facts = copy.deepcopy(RENT_FACTS)
    facts["household"] = [facts["household"][0]] + [copy.deepcopy(facts["household"][1]) for _ in range(20)]
    assert _refused(world, {"facts": facts})["field"] == "facts.household"


# --- the 社協 consent ---------------------------------------------------------------------------------


def test_the_council_consent_is_the_key_the_letters_read_and_is_optional(world: World) -> None:
    from service.workflows import applications, letters

    assert letters.COUNCIL_CONSENT in applications.OPTIONAL_CONSENTS
    assert all(letters.COUNCIL_CONSENT not in keys for keys in applications.REQUIRED_CONSENTS.values())
    without = world.apply()
    assert without["status"] == "submitted"
    intake = copy.deepcopy(INTAKE)
    app = world.post("agency", "/api/v1/applications", 201, json={"facts": RENT_FACTS, "intake": {
        **intake, "consents": {letters.COUNCIL_CONSENT: True}}}).json()
    assert app["intake"]["consents"] == {letters.COUNCIL_CONSENT: True}


# --- look-up endpoints -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "first"), [("みずほ", "0001"), ("ミズホ銀行", "0001"), ("0005", "0005"),
                                             ("城南信用金庫", "1344"), ("ゆうちょ", "9900")])
def test_banks_are_found_by_name_reading_or_code(world: World, query: str, first: str) -> None:
    banks = world.get("agency", "/api/v1/banks", 200, params={"q": query}).json()
    assert banks[0]["code"] == first and {"code", "name", "reading"} == set(banks[0])


def test_branches_are_found_by_name_or_reading(world: World) -> None:
    branches = world.get("agency", "/api/v1/banks/0001/branches", 200, params={"q": "とうきょう"}).json()
    assert branches[0] == {"code": "001", "name": "東京営業部", "reading": "とうきよう"}
    assert all("とうきよう" in b["reading"] for b in branches)
    named = world.get("agency", "/api/v1/banks/0001/branches", 200, params={"q": "東京営業部支店"}).json()
    assert named[0]["code"] == "001"


def test_the_lookup_refuses_an_unknown_bank_and_bad_queries(world: World) -> None:
    r = world.get("agency", "/api/v1/banks/9999/branches", 404)
    assert r.json()["error"]["field"] == "bank_code"
    world.get("agency", "/api/v1/banks/12/branches", 422)
    world.get("agency", "/api/v1/banks", 422, params={"q": "あ" * 51})
    world.get("agency", "/api/v1/banks", 422, params={"limit": 0})
    assert world.client.get("/api/v1/banks").status_code == 401
