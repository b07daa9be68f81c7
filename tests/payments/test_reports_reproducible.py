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
