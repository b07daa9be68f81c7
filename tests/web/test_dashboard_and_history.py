"""Dashboard and history (issue 14): round ticks and labels that do not collide; 支払済額 is money that
left (exported batches, moving costs included, returns deducted); the case 経過 collapses reads; the admin
audit log is searchable and exportable as CSV."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from test_screens_gaps import exported_batch, granted_case
from web_world import apply_through_wizard

from service.web import charts


@pytest.mark.parametrize(("peak", "ticks"), [
    (0, [0, 1]), (3, [0, 1, 2, 3]), (5, [0, 2, 4, 6]), (7, [0, 2, 4, 6, 8]), (12, [0, 5, 10, 15]),
    (40, [0, 10, 20, 30, 40]), (123_456, [0, 50_000, 100_000, 150_000]),
    (2_400_000, [0, 1_000_000, 2_000_000, 3_000_000]),
])
def test_ticks_are_round_whole_numbers(peak: int, ticks: list[int]) -> None:
    assert charts.nice_ticks(peak, most=4) == ticks


def test_the_count_axis_never_reads_1_25_and_value_labels_never_overlap() -> None:
    svg = str(charts.column_chart("件数", [(f"2025-{m:02d}", n) for m, n in zip(range(1, 13), [0, 1, 2, 3, 5] + [4] * 7,
                                                                          strict=True)], unit="件"))
    axis = re.findall(r'class="axis">([\d,]+件)</text>', svg)
    assert axis == ["0件", "2件", "4件", "6件"]
    money = str(charts.column_chart("額", [(f"2025-{m:02d}", 1_234_567 * m) for m in range(1, 13)], unit="円"))
    # 12 columns of 「1,481万円」 do not fit: no value labels at all rather than overlapping ones
    assert 'class="value"' not in money and "<title>2025-12: 1,481万円</title>" in money
    few = str(charts.column_chart("額", [("2025-01", 50_000), ("2025-02", 60_000)], unit="円"))
    assert few.count('class="value"') == 2
    long = str(charts.bar_chart("理由", [("とても長い理由の名前がここに入ってラベルの幅を超えてしまう場合", 3)]))
    assert "…" in long and "<title>とても長い理由の名前がここに入ってラベルの幅を超えてしまう場合</title>" in long


def test_paid_is_money_that_left(browser: Any) -> None:
    agency, clerk, approver, case_id, app_id = granted_case(browser)
    finance = browser("finance")
    before = finance.get("/dashboard?until=2025-07").text
    assert "2025年7月</td><td class=\"num\">—" in before or "2025年7月</td><td class=\"num\">0円" in before
    finance2, batch_id = exported_batch(browser)
    after = finance.get("/dashboard?until=2025-07").text
    amount = re.search(r"2025年7月</td><td class=\"num\">([\d,]+)円", after)
    assert amount and int(amount.group(1).replace(",", "")) > 0


def test_reads_are_collapsed_in_the_case_history(browser: Any) -> None:
    agency, clerk = browser("agency"), browser("clerk")
    _app_id, case_id = apply_through_wizard(agency)
    for _ in range(6):
        clerk.get(f"/cases/{case_id}")
    page = clerk.get(f"/cases/{case_id}").text
    history = page[page.index('id="timeline"'):]
    visible = history[:history.index("timeline-reads")] if "timeline-reads" in history else history
    assert "を閲覧" not in visible  # no line per read
    assert re.search(r"（[7-9]回）</span> <span class=\"tl-detail muted\">clerk", history)
    assert "申請を受付" in visible


def test_the_admin_searches_the_audit_log_and_exports_it(browser: Any) -> None:
    agency, clerk = browser("agency"), browser("clerk")
    _app_id, case_id = apply_through_wizard(agency)
    clerk.get(f"/cases/{case_id}")
    admin = browser("admin")
    assert "検索してください" in admin.get("/admin/audit").text
    by_user = admin.get("/admin/audit", params={"user": "clerk"}).text
    assert "件</span>" in by_user and "<td>clerk</td>" in by_user and "<td>agency</td>" not in by_user
    by_action = admin.get("/admin/audit", params={"action": "application.submit", "case_id": str(case_id)}).text
    assert by_action.count("<td>申請を提出</td>") == 1
    nothing = admin.get("/admin/audit", params={"user": "clerk", "since": "2099-01-01"}).text
    assert "条件に合う記録はありません" in nothing
    r = admin.get("/admin/audit", params={"case_id": str(case_id), "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["日時", "職員", "役割", "操作", "操作コード", "ケース番号", "対象", "接続元"]
    assert len(rows) > 3 and all(row[5] == str(case_id) for row in rows[1:])
    assert {"申請を提出", "申請書を作成"} <= {row[3] for row in rows[1:]}
    assert clerk.get("/admin/audit", params={"user": "clerk"}).status_code == 403


FIGURES = {"counted_income_yen": 0, "standard_amount_yen": 84_000, "income_limit_yen": 137_700,
           "asset_limit_yen": 504_000}


def test_the_estimate_states_the_households_own_share_above_the_ceiling() -> None:
    from service.web.core import templates

    html = templates.get_template("_assessment.html").render(assessment={"ok": True, "result": {
        "eligible": True, "amount_yen": 53_700, "rent_ceiling_yen": 53_700, "household_size": 1, **FIGURES,
        "trace": [{"step": "rent_yen", "value": 70_000, "rule": "R9"}], "reasons": []}})
    assert "超える 16,300円 は支給の対象にならず" in html and "月 16,300円" in html
    below = templates.get_template("_assessment.html").render(assessment={"ok": True, "result": {
        "eligible": True, "amount_yen": 50_000, "rent_ceiling_yen": 53_700, "household_size": 1, **FIGURES,
        "trace": [{"step": "rent_yen", "value": 50_000, "rule": "R9"}], "reasons": []}})
    assert "自己負担" not in below
