"""XLSX exports are reproducible: the same frame gives the same bytes (re-download, demo rerun)."""

from __future__ import annotations

import io
import time

import pandas as pd

from payments.reports import write_xlsx


def test_the_same_frame_gives_the_same_xlsx_bytes() -> None:
    frame = pd.DataFrame({"payee": ["株式会社神田不動産"], "amount_yen": [53700]})
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(frame, first)
    time.sleep(1.1)  # a save-time timestamp would differ now
    write_xlsx(frame, second)
    assert first.getvalue() == second.getvalue()
    assert pd.read_excel(io.BytesIO(first.getvalue()))["amount_yen"].tolist() == [53700]


def test_the_workbook_date_comes_from_the_data_not_the_clock() -> None:
    import zipfile
    from datetime import UTC, datetime

    frame = pd.DataFrame({"payee": ["株式会社神田不動産"], "amount_yen": [53700]})
    created = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # e.g. the batch's creation
    first, second = io.BytesIO(), io.BytesIO()
    write_xlsx(frame, first, created=created)
    time.sleep(1.1)
    write_xlsx(frame, second, created=created)
    assert first.getvalue() == second.getvalue()
    with zipfile.ZipFile(first) as archive:
        assert "2026-12-01T09:30:00Z" in archive.read("docProps/core.xml").decode()
        assert {info.date_time for info in archive.infolist()} == {(2026, 12, 1, 9, 30, 0)}
