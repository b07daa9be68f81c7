"""Finding people (issue 14): names on the list, search by kanji or kana in any width, case number,
phone or payee, filters, sort and paging with totals, on the screen and in the API; an agency sees only
its own cases."""

from __future__ import annotations

import re
from typing import Any

import pytest
from web_world import STEP1, Browser

from service.workflows.case_search import normalise


@pytest.mark.parametrize(("typed", "normalised"), [
    ("山田 太郎", "山田太郎"),
    ("山田　太郎", "山田太郎"),            # full-width space
    ("やまだ たろう", "ヤマダタロウ"),      # hiragana is katakana
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),          # half-width kana with a voiced mark
    ("ヤマダ タロウ", "ヤマダタロウ"),
    ("０９０－１２３４－５６７８", "09012345678"),  # full-width digits and hyphen
    ("090-1234-5678", "09012345678"),
    ("カ)テストフドウサン", "カテストフドウサン"),
    ("ＡＢＣ不動産", "abc不動産"),
    ("コーヒー", "コーヒー"),              # the long-vowel mark is part of a name
    ("", ""),
])
def test_normalise_makes_one_form_of_every_way_to_type_a_name(typed: str, normalised: str) -> None:
    assert normalise(typed) == normalised


def _draft(agency: Browser, name: str, kana: str, phone: str = "") -> int:
    """Step 1 of the wizard only: a draft application, and its case, with the applicant's name."""
    agency.get("/applications/new")
    r = agency.post("/applications/new", {**STEP1, "applicant_name": name, "applicant_name_kana": kana,
                                          "applicant_phone": phone, "action": "next"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = agency.get(r.headers["location"]).text
    return int(re.search(r"ケース #(\d+)", page).group(1))  # type: ignore[union-attr]


def _token(web_app: Any, username: str, role: str, agency_code: str | None = None) -> str:
    from sqlalchemy import select

    from service.db.models import Agency
    from service.db.session import unit_of_work
    from service.workflows.admin import create_user

    with unit_of_work(web_app.state.session_factory) as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.code == agency_code)) if agency_code else None
        _user, token = create_user(session, username, role, agency_id=agency_id)
    return str(token)


@pytest.fixture
def people(browser: Any) -> dict[str, int]:
    a, b = browser("agency"), browser("agency_b")
    return {"taro": _draft(a, "山田 太郎", "ヤマダ タロウ", "090-1234-5678"),
            "hanako": _draft(a, "佐藤 花子", "サトウ ハナコ"),
            "jiro": _draft(b, "山田 次郎", "ヤマダ ジロウ")}


def _names(html: str) -> list[str]:
    return re.findall(r'<span class="case-name">([^<]+)</span>', html)


def test_a_clerk_finds_people_by_kanji_kana_of_any_width_phone_and_case_number(
        browser: Any, people: dict[str, int]) -> None:
    clerk = browser("clerk")
    listing = clerk.get("/cases").text
    assert _names(listing) == ["山田 次郎", "佐藤 花子", "山田 太郎"]  # newest first, names not numbers
    assert "3件" in listing
    for q, expected in [("山田", ["山田 次郎", "山田 太郎"]), ("やまだ", ["山田 次郎", "山田 太郎"]),
                        ("ﾔﾏﾀﾞ", ["山田 次郎", "山田 太郎"]), ("山田　太郎", ["山田 太郎"]),
                        ("はなこ", ["佐藤 花子"]), ("０９０１２３４", ["山田 太郎"]),
                        (f"#{people['hanako']}", ["佐藤 花子"]), ("鈴木", [])]:
        page = clerk.get("/cases", params={"q": q}).text
        assert _names(page) == expected, q
        assert f"{len(expected)}件" in page
    assert "条件に合うケースはありません" in clerk.get("/cases", params={"q": "鈴木"}).text
    by_kana = clerk.get("/cases", params={"sort": "kana"}).text
    assert _names(by_kana) == ["佐藤 花子", "山田 次郎", "山田 太郎"]  # サトウ < ヤマダジロウ < ヤマダタロウ


def test_an_agency_finds_only_its_own_cases_on_the_screen(browser: Any, people: dict[str, int]) -> None:
    agency = browser("agency")
    assert _names(agency.get("/cases", params={"q": "やまだ"}).text) == ["山田 太郎"]
    other = agency.get("/cases", params={"q": f"#{people['jiro']}"}).text
    assert _names(other) == [] and "0件" in other
    # asking for the other agency by its id changes nothing
    assert _names(agency.get("/cases", params={"q": "山田", "agency": "2"}).text) == ["山田 太郎"]
    assert "山田 次郎" not in agency.get("/agency").text


def test_filters_and_paging_on_the_screen(browser: Any, people: dict[str, int], monkeypatch: Any) -> None:
    clerk = browser("clerk")
    page = clerk.get("/cases").text
    agency_b = re.search(r'<option value="(\d+)">新宿区くらしと仕事の相談センター</option>', page).group(1)  # type: ignore[union-attr]
    assert _names(clerk.get("/cases", params={"agency": agency_b}).text) == ["山田 次郎"]
    assert len(_names(clerk.get("/cases", params={"status": "draft"}).text)) == 3
    assert _names(clerk.get("/cases", params={"status": "active"}).text) == []
    assert _names(clerk.get("/cases", params={"month": "2025-06"}).text) == []
    from service.web import routes_cases

    monkeypatch.setattr(routes_cases, "PAGE_SIZE", 2)
    first = clerk.get("/cases").text
    assert _names(first) == ["山田 次郎", "佐藤 花子"] and "1 / 2 ページ" in first and "次のページ" in first
    second = clerk.get("/cases", params={"page": "2"}).text
    assert _names(second) == ["山田 太郎"] and "前のページ" in second and "3件（3〜3件目を表示）" in second


def test_the_api_searches_pages_and_counts_and_an_agency_sees_only_its_own(
        web_app: Any, browser: Any, people: dict[str, int]) -> None:
    client = browser().client
    clerk = {"Authorization": f"Bearer {_token(web_app, 'api-clerk', 'clerk')}"}
    agency = {"Authorization": f"Bearer {_token(web_app, 'api-agency', 'agency', 'A001')}"}
    r = client.get("/api/v1/cases", params={"q": "やまだ", "sort": "kana"}, headers=clerk)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "2"
    assert [c["applicant_name"] for c in r.json()] == ["山田 次郎", "山田 太郎"]
    assert r.json()[0]["applicant_kana"] == "ヤマダ ジロウ"
    r = client.get("/api/v1/cases", params={"q": "ヤマダ", "limit": 1, "offset": 1, "sort": "new"}, headers=clerk)
    assert r.headers["X-Total-Count"] == "2" and [c["id"] for c in r.json()] == [people["taro"]]
    r = client.get("/api/v1/cases", params={"q": "ﾔﾏﾀﾞ"}, headers=agency)
    assert r.headers["X-Total-Count"] == "1" and [c["id"] for c in r.json()] == [people["taro"]]
    r = client.get("/api/v1/cases", params={"q": f"#{people['jiro']}"}, headers=agency)
    assert r.json() == [] and r.headers["X-Total-Count"] == "0"
    r = client.get("/api/v1/cases", params={"status": "nonsense"}, headers=clerk)
    assert r.status_code == 422 and r.json()["error"]["field"] == "status"
    r = client.get("/api/v1/cases", params={"status": "draft", "agency_id": 1}, headers=clerk)
    assert {c["applicant_name"] for c in r.json()} == {"山田 太郎", "佐藤 花子"}


def test_names_appear_on_the_agency_home_and_follow_an_edit(browser: Any, people: dict[str, int]) -> None:
    agency = browser("agency")
    home = agency.get("/agency").text
    assert "山田 太郎" in home and "佐藤 花子" in home
