"""Every action the service writes to the audit log has a Japanese name (issue 14: the case 経過 and the
admin's audit log never show a code such as ``application.return``)."""

from __future__ import annotations

import re
from pathlib import Path

from service.error_catalogue import is_japanese
from service.web.labels import AUDIT_ACTION

SERVICE = Path(__file__).resolve().parents[2] / "service"
#: audit(session, actor, "case.read", ...) — the action is the first string argument
ACTION = re.compile(r'\baudit\(\s*\w+,\s*[\w.()]+,\s*"([a-z_]+\.[a-z_.]+)"')


def audited_actions() -> set[str]:
    return {match for path in SERVICE.rglob("*.py") for match in ACTION.findall(path.read_text(encoding="utf-8"))}


def test_every_audited_action_has_a_japanese_label() -> None:
    actions = audited_actions()
    assert {"application.return", "application.coordination", "case.read", "letter.issue"} <= actions
    missing = sorted(a for a in actions if a not in AUDIT_ACTION)
    assert missing == []
    assert [a for a, label in AUDIT_ACTION.items() if not is_japanese(label)] == []
