"""Every screen as every role (issue 14, PD32): no English sentence and no internal rule number (R12,
PD17) reaches a person. The crawl follows every same-site link from each role's home on a world with a
granted case, a draft waiting for 決裁, a stop proposal and an exported payment batch."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from test_screens_gaps import decide_on_screen, exported_batch
from web_world import apply_through_wizard

SKIP = re.compile(r"\.(pdf|csv|xlsx|txt|zip)$|^/logout|/export|/download|/print-run|/static/|^/api/|/openapi")
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,:'-]+[A-Za-z][a-z]+){2,}\b")
INTERNAL_NUMBER = re.compile(r"\b(?:R\d{1,2}(?:-\d+)?|PD\d{1,2})\b")
#: words a Japanese office uses as they are (product and file-format names)
ALLOWED = re.compile(r"\b(?:PDF|CSV|Excel|JPEG|PNG|OK)\b")


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<input[^>]*type="hidden"[^>]*>', " ", page)
    # what a person sees: text nodes, plus the text of labels in attributes they read
    attrs = " ".join(re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*)"', page))
    text = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(text + " " + attrs)


def _shape(url: str) -> tuple[str, frozenset[str]]:
    """One page per path and set of query names (the queue of 2023-01 is the queue of 2023-02)."""
    parts = urlsplit(url)
    return re.sub(r"(?<!step)/\d+", "/N", parts.path), frozenset(k.split("=")[0] for k in parts.query.split("&") if k)


def crawl(browser: Any, start: str, limit: int = 120) -> dict[str, str]:
    seen: dict[str, str] = {}
    shapes: dict[tuple[str, frozenset[str]], int] = {}
    queue = [start]
    while queue and len(seen) < limit:
        url = queue.pop(0)
        shape = _shape(url)
        if url in seen or shapes.get(shape, 0) >= 4:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        r = browser.get(url)
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            seen[url] = ""
            continue
        seen[url] = r.text
        for href in re.findall(r'href="([^"#]+)', r.text):
            target = urljoin(url, html.unescape(href))
            parts = urlsplit(target)
            if parts.netloc not in ("", "testserver") or SKIP.search(parts.path):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in seen and path not in queue:
                queue.append(path)
    return seen


def test_no_screen_shows_english_or_internal_rule_numbers(browser: Any) -> None:
    agency, clerk, approver = browser("agency"), browser("clerk"), browser("approver")
    app_id, case_id = apply_through_wizard(agency)
    decide_on_screen(clerk, approver, case_id, app_id)
    exported_batch(browser)
    second_app, second_case = apply_through_wizard(agency)
    page = clerk.get(f"/cases/{second_case}/decisions/new?kind=grant").text
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    clerk.post(f"/cases/{second_case}/decisions", {"kind": "grant", "application_id": str(second_app),
                                                   "case_version": version})
    apply_through_wizard(agency, submit=False)
    problems: list[str] = []
    pages = 0
    for role in ("agency", "clerk", "approver", "finance", "admin"):
        who = browser(role)
        extra = ["/cases?q=やまだ", f"/cases/{case_id}/decisions/new?kind=stop",
                 f"/cases/{case_id}/decisions/new?kind=change"] if role == "clerk" else []
        start = {"agency": "/agency", "clerk": "/queue", "approver": "/queue", "finance": "/finance",
                 "admin": "/dashboard"}[role]
        found = crawl(who, start)
        for url in extra:
            found.update(crawl(who, url, limit=5))
        for url, body in found.items():
            if not body:
                continue
            pages += 1
            text = ALLOWED.sub(" ", visible_text(body))
            for match in INTERNAL_NUMBER.finditer(text):
                snippet = " ".join(text[max(0, match.start() - 30):match.end() + 20].split())
                problems.append(f"{role} {_shape(url)[0]}: internal number {match.group(0)!r} in {snippet!r}")
            for match in ENGLISH_SENTENCE.finditer(text):
                problems.append(f"{role} {_shape(url)[0]}: English {match.group(0)!r}")
    assert pages > 30
    assert problems == [], "\n".join(sorted(set(problems))[:80])


def test_the_detectors_catch_what_the_issue_saw() -> None:
    text = visible_text("<p>申請に不足があります（詳細: the application is incomplete）</p><p>理由（R51）と（PD17）</p>"
                        '<input type="hidden" value="not shown at all"><p title="Open the letter now">x</p>')
    assert [m.group(0) for m in ENGLISH_SENTENCE.finditer(text)] == ["the application is incomplete",
                                                                   "Open the letter now"]
    assert [m.group(0) for m in INTERNAL_NUMBER.finditer(text)] == ["R51", "PD17"]
    assert not ENGLISH_SENTENCE.search(ALLOWED.sub(" ", visible_text("<p>PDF を開く・CSV で出力</p>")))
