"""The finance batch screen: every transfer before 決裁, people's names, no 決裁 for the creator (PD17),
Japanese exports (issue 14 item 3)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
from test_screens_gaps import granted_case


def _draft_batch(browser: Any) -> tuple[Any, Any, int]:
    granted_case(browser)
    finance, finance2 = browser("finance"), browser("finance2")
    finance.get("/finance")
    r = finance.post("/finance/run", {"benefit_month": "2025-07"}, follow_redirects=False)
    return finance, finance2, int(r.headers["location"].rsplit("/", 1)[1])


def test_the_batch_page_lists_each_transfer_and_only_another_user_sees_approve(browser: Any) -> None:
    finance, finance2, batch_id = _draft_batch(browser)
    own = finance.get(f"/finance/batches/{batch_id}").text
    assert "あなたが作成したため、決裁できません" in own
    assert f'action="/finance/batches/{batch_id}/approve"' not in own
    other = finance2.get(f"/finance/batches/{batch_id}").text
    assert f'action="/finance/batches/{batch_id}/approve"' in other
    for text in ("振込一覧", "みずほ", "0001", "****", "家賃", "合計（1件）", "作成者</dt><dd>finance<"):
        assert text in other, text
    assert re.search(r"HB-\d{7} \S", other)  # the case with the applicant's name
    assert "1234567" not in other  # the account number is masked on the screen
    finance2.post(f"/finance/batches/{batch_id}/approve", {})
    history = finance2.get(f"/finance/batches/{batch_id}").text
    assert "職員 #" not in history
    assert re.search(r"作成</span> <span class=\"muted\">finance<", history)
    assert re.search(r"決裁</span> <span class=\"muted\">finance2<", history)


def test_the_payment_list_downloads_in_japanese_by_default_and_for_machines_on_request(browser: Any) -> None:
    _finance, finance2, batch_id = _draft_batch(browser)
    r = finance2.get(f"/finance/batches/{batch_id}/payment-list.xlsx")
    assert r.status_code == 200 and "filename*=UTF-8''" in r.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["支払一覧", "振込先別合計"]
    header = [c.value for c in book["支払一覧"][1]]
    assert "金融機関名" in header and "口座番号" in header
    csv_text = finance2.get(f"/finance/batches/{batch_id}/payment-list.csv").content.decode("utf-8-sig")
    assert csv_text.startswith("振込指定日,") and "合計（3件）,,,,,,,,,,,,,,,180000" in csv_text  # May–July
    machine = finance2.get(f"/finance/batches/{batch_id}/payment-list.csv?layout=machine").content
    assert machine.decode("utf-8-sig").startswith("payee_name,pay_date,")


def test_the_returns_template_downloads_and_a_refused_file_names_line_and_column(browser: Any) -> None:
    finance = browser("finance")
    page = finance.get("/finance").text
    assert 'href="/finance/returns-template.csv"' in page and "不能事由コード" in page
    template = finance.get("/finance/returns-template.csv")
    assert template.status_code == 200 and template.content.decode("utf-8-sig").startswith("バッチ番号,振込番号,")
    assert browser("clerk").get("/finance/returns-template.csv").status_code == 403
    bad = template.content + "1,x,100,01,口座なし\r\n".encode()
    r = finance.post("/finance/returns", {}, files={"file": ("r.csv", bad, "text/csv")})
    assert "取り込みませんでした" in r.text and "［2行目・振込番号列］" in r.text and "振込番号（1～10桁の数字" in r.text
    r = finance.post("/finance/returns", {}, files={"file": ("r.csv", b"batch,x\r\n", "text/csv")})
    assert "1行目の見出しは「バッチ番号、振込番号、金額、不能事由コード、不能事由」" in r.text


def test_the_menu_marks_only_the_screen_you_are_on(browser: Any) -> None:
    """支払 is /finance and 債権管理 /finance/receivables: on the receivables only 債権管理 is current."""
    finance = browser("finance")
    for path, label in (("/finance/receivables", "債権管理"), ("/finance/payees", "支払先"), ("/finance", "支払")):
        page = finance.get(path).text
        current = re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', page)
        assert current == [label], (path, current)
