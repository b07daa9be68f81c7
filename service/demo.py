"""``housing-benefit demo --out DIR`` (contracts.md §2): the whole product on fictional cases.

The scenario runs through the real REST API in-process (the same routes, workflows and database
as production): two support agencies apply, a clerk drafts and an approver approves, an extension,
a change, a stop with evidence and its repayment claim, a refusal, an interruption and resumption, a
moving-cost grant and its confirmation after the move, monthly
payment runs exported as 全銀 files, and every letter the decisions need. A second run against the
same database adds nothing and pays nothing twice: the scenario is skipped when its agencies exist,
and the outputs are written again from what the database holds (byte-identical files).
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from service.app import create_app
from service.clock import FixedClock
from service.config import Settings, get_settings
from service.db.models import Agency, AppUser
from service.db.session import unit_of_work
from service.web import labels
from service.workflows.admin import create_user, get_or_create_agency, issue_token
from service.workflows.applications import required_documents
from service.workflows.common import Actor
from service.workflows.finance_reports import export_finance_files, monthly_statistics_csv
from service.workflows.letters import work_letters
from service.workflows.payments import municipality_pay_date

MUNICIPALITY = "131016"  # 千代田区
#: The month whose payment run the summary reports; earlier months were paid by earlier runs.
BENEFIT_MONTH = "2026-11"
#: The office day of each month's run: after the decisions it pays, before its pay date (PD18:
#: 2026-09-25, 2026-10-23, 2026-11-25), so no letter's 振込日 precedes its decision (PD28).
FIRST_DAY = "2026-09-07"
RUN_DAYS = {"2026-09": "2026-09-18", "2026-10": "2026-10-21", "2026-11": "2026-11-24"}
#: The scenario's last office day: the letters are rendered and the outputs written "on" it.
FINAL_DAY = "2026-11-27"
AGENCIES = {"agency_a": ("DEMO-CHIYODA-1", "千代田区くらしサポートセンター"),
            "agency_b": ("DEMO-CHIYODA-2", "千代田区社会福祉協議会 生活相談窓口")}
USERS = {"admin": "admin", "agency_a": "agency", "agency_b": "agency", "clerk": "clerk", "approver": "approver",
         "finance": "finance", "finance_approver": "finance"}
DEMO_PASSWORD = "demo-password-2026"  # documented in the README; a demo database only
PDF_STUB = b"%PDF-1.4\n% scanned document (demo)\n"

RENT_CONSENTS = dict.fromkeys(("repayment_if_false", "no_gang_members", "job_search_requirements", "stop_cases",
                               "extension_conditions", "initial_costs_not_covered", "partial_rent_over_ceiling"),
                              True)
MOVING_CONSENTS = dict.fromkeys(("repayment_if_false", "no_gang_members", "refusal_if_no_improvement",
                                 "deposit_and_advance_rent_excluded", "partial_over_cap"), True)


def applicant(birth_date: str, incomes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"relationship": "applicant", "birth_date": birth_date, "student": False, "incomes": incomes or []}


def rent_facts(*, application_date: str, household: list[dict[str, Any]], rent_yen: int, assets_yen: int,
               trigger_date: str, cause: str = "dismissal") -> dict[str, Any]:
    return {
        "benefit": "rent", "municipality_code": MUNICIPALITY, "application_date": application_date,
        "household": household, "assets_yen": assets_yen,
        "declarations": {"hello_work_registered": True, "similar_benefit": False, "gang_member_in_household": False},
        "applicant_type": "at_risk", "rent_yen": rent_yen, "common_charges_yen": 3000,
        "lease_initial_costs_paid_on": None,
        "trigger": {"kind": "job_loss", "date": trigger_date, "cause": cause, "main_earner": True,
                    "job_search_blocked_days": 0},
        "previous_receipt": None,
    }


def intake(name: str, kana: str, postal_code: str, address: str, payee: dict[str, Any], *,
           council_consent: bool = False, plan_date: str = "2026-09-01", meeting_date: str = "2026-09-03"
           ) -> dict[str, Any]:
    return {"applicant": {"name": name, "name_kana": kana, "postal_code": postal_code, "address": address},
            "payee": payee, "emergency": False,
            "plan": {"plan_date": plan_date, "coordination_meeting_date": meeting_date},
            "extra_consents": {"share_with_council": True} if council_consent else {}}


AGENT_KANDA = {"payee_kind": "agent", "name": "株式会社神田不動産", "corporate_number": "5835678256246",
               "bank_code": "0001", "branch_code": "001", "account_type": "ordinary", "account_number": "1234567",
               "holder_kana": "カ)カンダフドウサン"}
LANDLORD_OKADA = {"payee_kind": "landlord", "name": "岡田 正男", "bank_code": "0005", "branch_code": "001",
                  "account_type": "ordinary", "account_number": "7654321", "holder_kana": "オカダ マサオ"}
AGENT_HACHIOJI = {"payee_kind": "agent", "name": "有限会社八王子住宅センター", "bank_code": "0009",
                  "branch_code": "001", "account_type": "current", "account_number": "0012345",
                  "holder_kana": "ユ)ハチオウジジユウタクセンタ-"}


class InProcessClient:
    """A synchronous client over the app in this process: ``httpx.AsyncClient`` on ``ASGITransport``,
    each request run on one private event loop (issue 14: no starlette test client, no warning)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._runner = asyncio.Runner()
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo.invalid")

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self._runner.run(self._client.request(method, url, **kwargs))

    def close(self) -> None:
        self._runner.run(self._client.aclose())
        self._runner.close()


def stderr_progress(line: str) -> None:
    print(f"デモ: {line}", file=sys.stderr, flush=True)


@dataclass
class DemoApi:
    """A thin client over the in-process API for the scenario, and its scenario clock."""

    client: InProcessClient
    tokens: dict[str, str]
    clock: FixedClock
    log: list[str] = field(default_factory=list)
    batches: dict[str, int] = field(default_factory=dict)
    progress: Callable[[str], None] = stderr_progress

    def on(self, day: str, hour: int = 10) -> None:
        """Move the scenario clock to ``hour``:00 JST of the office day ``day`` (never backwards)."""
        before = self.clock.now()
        self.clock.set_office_day(date.fromisoformat(day), hour)
        if self.clock.now() < before:
            raise RuntimeError(f"demo: the scenario clock would go back to {day}")

    def step(self, line: str) -> None:
        self.log.append(line)
        self.progress(f"{self.clock.today().isoformat()} {line}")

    def call(self, method: str, who: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}", **kwargs.pop("headers", {})}
        response = self.client.request(method, url, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"demo: {method} {url} as {who} → {response.status_code} {response.text}")
        return response.json() if response.headers.get("content-type", "").startswith("application/json") \
            else response.content

    def apply(self, who: str, facts: dict[str, Any], *, kind: str = "initial", case_id: int | None = None,
              intake_data: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind, "facts": facts}
        if case_id is not None:
            body["case_id"] = case_id
        if intake_data is not None:
            consents = RENT_CONSENTS if facts["benefit"] == "rent" else MOVING_CONSENTS
            extra = intake_data.get("extra_consents", {})
            body["intake"] = {**{k: v for k, v in intake_data.items() if k != "extra_consents"},
                              "consents": {**consents, **extra}}
        key = f"demo-{who}-{kind}-{facts['application_date']}-{case_id}-{facts.get('rent_yen')}"
        self.on(facts["application_date"], 10)  # the agency submits on the application date (PD30)
        app = self.call("POST", who, "/api/v1/applications", json=body, headers={"Idempotency-Key": key})
        for doc_kind in required_documents(kind, app["benefit"], app["facts"]):
            self.upload(who, app["case_id"], doc_kind, app["id"])
        submitted = dict(self.call("POST", who, f"/api/v1/applications/{app['id']}/submit"))
        self.step(f"ケース {submitted['case_id']}: {labels.APPLICATION_KIND.get(kind, kind)} {submitted['id']} を提出（{who}）")
        return submitted

    def upload(self, who: str, case_id: int, kind: str, application_id: int | None = None) -> None:
        data = {"kind": kind, **({"application_id": str(application_id)} if application_id else {})}
        self.call("POST", who, f"/api/v1/cases/{case_id}/documents", data=data,
                  files={"file": (f"{kind}.pdf", PDF_STUB, "application/pdf")})

    def decide(self, case_id: int, body: dict[str, Any], day: str) -> dict[str, Any]:
        """The clerk drafts on ``day`` at 10:00, the approver approves at 15:00 (PD17: two people)."""
        self.on(day, 10)
        draft = self.call("POST", "clerk", f"/api/v1/cases/{case_id}/decisions", json=body)
        self.on(day, 15)
        approved = self.call("POST", "approver", f"/api/v1/decisions/{draft['id']}/approve")
        self.step(f"決定: ケース {case_id} {labels.DECISION_KIND.get(body['kind'], body['kind'])}を決裁（決定 {approved['id']}）")
        return dict(approved)

    def grant_id(self, case_id: int) -> int:
        return int(self.call("GET", "clerk", f"/api/v1/cases/{case_id}")["grants"][0]["grant_id"])


def _users(session: Any, clock: FixedClock) -> dict[str, str]:
    """Create the demo agencies and users once; give every demo user a fresh token each run."""
    agency_ids = {key: get_or_create_agency(session, code, name).id for key, (code, name) in AGENCIES.items()}
    tokens = {}
    for key, role in USERS.items():
        username = f"demo-{key.replace('_', '-')}"
        try:
            tokens[key] = issue_token(session, username, clock)
        except Exception:  # first run: the user does not exist yet
            _, tokens[key] = create_user(session, username, role, agency_ids.get(key), DEMO_PASSWORD,
                                         enforce_policy=False)  # fictional users of a demo database
    return tokens


def run_story(api: DemoApi) -> None:
    """The whole scenario in office-day order (contracts.md §2): applications, decisions and their
    approval, the monthly runs, the follow-up decisions, and the work left waiting (issue 11)."""
    ids = run_september(api)
    run_october(api, ids)
    run_november(api, ids)
    leave_work_waiting(api)


def run_september(api: DemoApi) -> dict[str, Any]:
    """The first applications and grants, then September's run (pay date 2026-09-25)."""
    ids: dict[str, Any] = {}
    # 1. Agency A: a full rent grant (income 0, rent above the ceiling), later extended (R38, PD6).
    suzuki = api.apply("agency_a", rent_facts(application_date="2026-09-07", household=[applicant("1979-06-14")],
                                              rent_yen=62000, assets_yen=180000, trigger_date="2026-06-30"),
                       intake_data=intake("鈴木 一郎", "スズキ イチロウ", "101-0052",
                                          "東京都千代田区神田小川町3-2-1 コーポ小川201", AGENT_KANDA,
                                          council_consent=True))
    api.decide(suzuki["case_id"], {"kind": "grant", "application_id": suzuki["id"]}, "2026-09-09")
    ids["extension_case"] = suzuki["case_id"]
    # 2. Agency A: a partial payment (income above 基準額), then a change of rent (R54, PD10).
    sato_household = [applicant("1988-02-03", [{"kind": "wages", "amount_yen": 158000,
                                                "commuting_allowance_yen": 8000}]),
                      {"name": "佐藤 陽太", "relationship": "child", "birth_date": "2016-05-20", "student": True,
                       "incomes": []}]
    sato = api.apply("agency_a", rent_facts(application_date="2026-09-10", household=sato_household, rent_yen=70000,
                                            assets_yen=250000, trigger_date="2026-07-31", cause="employer_reasons"),
                     intake_data=intake("佐藤 花子", "サトウ ハナコ", "101-0032",
                                        "東京都千代田区岩本町1-4-5 メゾン岩本302", LANDLORD_OKADA))
    api.decide(sato["case_id"], {"kind": "grant", "application_id": sato["id"]}, "2026-09-11")
    ids["change_case"] = sato["case_id"]
    # 3. Agency B: a grant later stopped for unreported income (R58-2) with a repayment claim (PD9).
    takahashi = api.apply("agency_b", rent_facts(application_date="2026-09-14", household=[applicant("1990-11-30")],
                                                 rent_yen=55000, assets_yen=90000, trigger_date="2026-08-31"),
                          intake_data=intake("髙橋 健", "タカハシ ケン", "101-0061",
                                             "東京都千代田区三崎町2-9-8 三崎荘105", AGENT_KANDA))
    api.decide(takahashi["case_id"], {"kind": "grant", "application_id": takahashi["id"]}, "2026-09-15")
    ids["stop_case"] = takahashi["case_id"]
    # 4. Agency A: a grant interrupted while the recipient is in hospital, then resumed (R42).
    yamamoto = api.apply("agency_a", rent_facts(application_date="2026-09-16", household=[applicant("1972-03-09")],
                                                rent_yen=52000, assets_yen=60000, trigger_date="2026-08-20"),
                         intake_data=intake("山本 和夫", "ヤマモト カズオ", "101-0041",
                                            "東京都千代田区神田須田町1-7-3 須田町ハイツ204", AGENT_KANDA))
    api.decide(yamamoto["case_id"], {"kind": "grant", "application_id": yamamoto["id"]}, "2026-09-17")
    ids["interruption_case"] = yamamoto["case_id"]
    pay_month(api, "2026-09")
    # 5. Agency B: a moving-cost grant to a cheaper home in 八王子市 (R74, PD13, PD14).
    moving = {
        "benefit": "moving", "municipality_code": MUNICIPALITY, "application_date": "2026-09-24",
        "household": [applicant("1983-08-08", [{"kind": "wages", "amount_yen": 96000}])], "assets_yen": 120000,
        "declarations": {"hello_work_registered": False, "similar_benefit": False, "gang_member_in_household": False},
        "current_rent_yen": 82000, "destination": {"municipality_code": "132012"},
        "income_drop": {"month": "2026-06", "cause": "reduced_work", "main_earner": True},
        "household_finance_review": {"move_needed": True, "cannot_fund": True},
        "costs": [{"category": "key_money", "amount_yen": 48000}, {"category": "agency_fee", "amount_yen": 52800},
                  {"category": "removal", "amount_yen": 66000}, {"category": "deposit", "amount_yen": 48000}],
    }
    tanaka = api.apply("agency_b", moving, intake_data=intake("田中 美咲", "タナカ ミサキ", "101-0051",
                                                               "東京都千代田区神田神保町1-10-2", AGENT_HACHIOJI))
    settle_month(api, "2026-09")
    api.decide(tanaka["case_id"], {"kind": "moving_grant", "application_id": tanaka["id"]}, "2026-09-28")
    ids["moving_case"] = tanaka["case_id"]
    return ids


def run_october(api: DemoApi, ids: dict[str, Any]) -> None:
    """A refusal, a change of rent, October's run (pay date 2026-10-23), the stop and its claim."""
    # 6. Agency B: a refusal listing every unmet requirement (R20, R21).
    kato = api.apply("agency_b", rent_facts(application_date="2026-10-05", household=[applicant("1975-01-25", [
        {"kind": "wages", "amount_yen": 210000}])], rent_yen=65000, assets_yen=720000, trigger_date="2026-09-15"),
                     intake_data=intake("加藤 誠", "カトウ マコト", "101-0065", "東京都千代田区西神田2-1-1",
                                        LANDLORD_OKADA, plan_date="2026-09-28", meeting_date="2026-10-01"))
    api.decide(kato["case_id"], {"kind": "refusal", "application_id": kato["id"]}, "2026-10-07")

    sato_case = ids["change_case"]
    sato_grant = api.grant_id(sato_case)
    change_facts = api.call("GET", "clerk", f"/api/v1/cases/{sato_case}")["applications"][0]["facts"]
    change_facts = {**copy.deepcopy(change_facts), "application_date": "2026-10-14", "rent_yen": 66000}
    change = api.apply("agency_a", change_facts, kind="change", case_id=sato_case)
    pay_month(api, "2026-10")
    api.decide(sato_case, {"kind": "change", "application_id": change["id"], "grant_id": sato_grant}, "2026-10-22")
    settle_month(api, "2026-10")

    from calculations.stops import STOP_EVIDENCE, StopCause

    stop_case = ids["stop_case"]
    stop_grant = api.grant_id(stop_case)
    evidence = [{"kind": kind, "note": "原本確認済み"} for kind in STOP_EVIDENCE[StopCause.income_over_limit]]
    api.decide(stop_case, {"kind": "stop", "grant_id": stop_grant, "cause": "income_over_limit",
                           "event_date": "2026-09-25", "evidence": evidence,
                           "note": "常用就職（2026-09-01 期間の定めなし）後の9月分給与が収入基準額を超過。届出なし。"},
               "2026-10-26")
    api.decide(stop_case, {"kind": "repayment", "grant_id": stop_grant, "repayment_cause": "recipient_error"},
               "2026-10-27")


def run_november(api: DemoApi, ids: dict[str, Any]) -> None:
    """An interruption, the moving confirmation, an extension and a refused one, a resumption, then
    November's run (pay date 2026-11-25), the run the summary reports."""
    pause_case = ids["interruption_case"]  # hospitalised in November; job search again from January (R42)
    pause_grant = api.grant_id(pause_case)
    api.decide(pause_case, {"kind": "interruption", "grant_id": pause_grant, "effective_month": "2026-11",
                            "note": "2026-10-28 入院（診断書受理）。"}, "2026-11-04")

    moving_case = ids["moving_case"]  # after the move: 住居確保報告書 and receipts (R81)
    api.on("2026-11-10", 9)
    api.upload("clerk", moving_case, "housing_report")
    api.upload("clerk", moving_case, "expense_evidence")
    api.decide(moving_case, {"kind": "moving_confirmation", "grant_id": api.grant_id(moving_case),
                             "actual_costs": [{"category": "key_money", "amount_yen": 48000},
                                              {"category": "agency_fee", "amount_yen": 52800},
                                              {"category": "removal", "amount_yen": 63800}]}, "2026-11-10")

    ext_case = ids["extension_case"]  # within the deadline: the grant's last month is 2026-11 (PD6, PD30)
    ext_grant = api.grant_id(ext_case)
    facts = api.call("GET", "clerk", f"/api/v1/cases/{ext_case}")["applications"][0]["facts"]
    ext = api.apply("agency_a", {**copy.deepcopy(facts), "application_date": "2026-11-16"}, kind="extension",
                    case_id=ext_case)
    api.decide(ext_case, {"kind": "extension", "application_id": ext["id"], "grant_id": ext_grant}, "2026-11-17")

    # Agency A: 佐藤's extension is refused — she now earns above the income limit (R38, R20).
    sato_case = ids["change_case"]
    sato_grant = api.grant_id(sato_case)
    sato_facts = api.call("GET", "clerk", f"/api/v1/cases/{sato_case}")["applications"][-1]["facts"]
    household = copy.deepcopy(sato_facts["household"])
    household[0]["incomes"] = [{"kind": "wages", "amount_yen": 262000, "commuting_allowance_yen": 12000}]
    late = api.apply("agency_a", {**copy.deepcopy(sato_facts), "application_date": "2026-11-18",
                                  "household": household}, kind="extension", case_id=sato_case)
    api.decide(sato_case, {"kind": "extension_refusal", "application_id": late["id"], "grant_id": sato_grant},
               "2026-11-19")

    api.decide(pause_case, {"kind": "resumption", "grant_id": pause_grant, "resume_month": "2027-01",
                            "note": "退院し、2027年1月から求職活動を再開（主治医意見書）。"}, "2026-11-20")
    pay_month(api, BENEFIT_MONTH)


def leave_work_waiting(api: DemoApi) -> None:
    """Work a person opening the screens finds in the queue (issue 11): 渡辺's application with a grant
    drafted by demo-clerk and waiting for demo-approver, and 伊藤's application nobody has reviewed."""
    watanabe = api.apply("agency_a", rent_facts(application_date="2026-11-25", household=[applicant("1985-04-12")],
                                                rent_yen=58000, assets_yen=140000, trigger_date="2026-10-31"),
                         intake_data=intake("渡辺 直樹", "ワタナベ ナオキ", "101-0054",
                                            "東京都千代田区神田錦町2-5-6 錦町レジデンス103", LANDLORD_OKADA,
                                            plan_date="2026-11-16", meeting_date="2026-11-19"))
    api.on("2026-11-26", 10)
    draft = api.call("POST", "clerk", f"/api/v1/cases/{watanabe['case_id']}/decisions",
                     json={"kind": "grant", "application_id": watanabe["id"]})
    api.step(f"決定: ケース {watanabe['case_id']} 支給決定を起案（決定 {draft['id']}）、決裁待ち")
    ito = api.apply("agency_b", rent_facts(application_date="2026-11-26", household=[applicant("1993-12-01")],
                                           rent_yen=54000, assets_yen=70000, trigger_date="2026-10-15"),
                    intake_data=intake("伊藤 さくら", "イトウ サクラ", "102-0074",
                                       "東京都千代田区九段南3-8-11 九段ハイム402", AGENT_KANDA,
                                       plan_date="2026-11-17", meeting_date="2026-11-24"))
    api.step(f"ケース {ito['case_id']}: 申請 {ito['id']} は審査待ち")


def scenario_exists(session: Any) -> bool:
    return session.scalar(select(Agency).where(Agency.code == AGENCIES["agency_a"][0])) is not None


class DemoRefused(RuntimeError):
    """The demo will not run here (production mode, or a database that holds real data)."""


def foreign_data(session: Any) -> list[str]:
    """What in the database is not the demo's: agencies and users it did not create (issue 12)."""
    demo_codes = {code for code, _ in AGENCIES.values()}
    demo_users = {f"demo-{key.replace('_', '-')}" for key in USERS}
    agencies = [code for code in session.scalars(select(Agency.code)) if code not in demo_codes]
    users = [name for name in session.scalars(select(AppUser.username)) if name not in demo_users]
    return [f"agency {code}" for code in agencies[:3]] + [f"user {name}" for name in users[:3]]


def run_demo(out_dir: Path, database_url: str, settings: Settings | None = None,
             progress: Callable[[str], None] = stderr_progress) -> dict[str, Any]:
    """Run (or re-run) the demo and write its outputs; returns the summary.

    Refused in production mode (HB_ENVIRONMENT=production) and on a database holding agencies or users
    that are not the demo's: the demo writes users with the README's password."""
    settings = settings or get_settings()
    if settings.environment == "production":
        raise DemoRefused("the demo never runs with HB_ENVIRONMENT=production (it creates users with the "
                          "README's password); use a separate development database")
    app = create_app(database_url, settings=settings)
    with unit_of_work(app.state.session_factory) as session:
        foreign = foreign_data(session)
        if foreign:
            app.state.engine.dispose()
            raise DemoRefused("the demo runs only on an empty or demo database; this one holds "
                              + ", ".join(foreign))
        fresh = not scenario_exists(session)
    clock = FixedClock.at_office_day(date.fromisoformat(FIRST_DAY if fresh else FINAL_DAY))
    app.state.office_clock = clock  # every API call's Actor reads this scenario clock (service.deps)
    with unit_of_work(app.state.session_factory) as session:
        tokens = _users(session, clock)
    api = DemoApi(InProcessClient(app), tokens, clock, progress=progress)
    try:
        if fresh:
            api.step("ケース: シナリオを開始します（2026-09-07〜2026-11-26）")
            run_story(api)
        else:
            api.step("ケース: シナリオはこのデータベースに登録済みです。何も追加しません")
            pay_month(api, BENEFIT_MONTH)  # finds nothing new to pay
        clock.set_office_day(date.fromisoformat(FINAL_DAY), 17)
        # issue 13: approvals planned the letters; the worker renders them (as in serve or cron)
        rendered = work_letters(app.state.session_factory, clock=clock)
        api.step(f"通知書: 発行処理で作成（発行 {rendered.get('issued', 0)} 件、失敗 {rendered.get('failed', 0)} 件）")
        summary = write_outputs(api, out_dir, app.state.session_factory)
    finally:
        api.client.close()
        app.state.engine.dispose()
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                         encoding="utf-8")
    api.step(f"完了: 通知書 {len(summary['letters'])} 件、振込ファイル {len(summary['batches'])} 件を {out_dir} に出力")
    return summary


def pay_month(api: DemoApi, month: str) -> None:
    """A month's payment run on its run day (RUN_DAYS: after the decisions it pays, before its pay date,
    PD18): prepared by one finance user, approved by another (PD17), exported. A rerun finds nothing new
    to pay. The clock is set directly: on a rerun it goes back from FINAL_DAY to the run day."""
    api.clock.set_office_day(date.fromisoformat(RUN_DAYS[month]), 9)
    run = api.call("POST", "finance", "/api/v1/payment-runs", json={"benefit_month": month})
    batch_id = run.get("batch_id")
    api.step(f"支払処理 {month}: 支払 {run.get('payment_count', 0)} 件、支払バッチ #{batch_id}")
    if batch_id is None:
        return
    api.batches[month] = int(batch_id)
    api.clock.set_office_day(date.fromisoformat(RUN_DAYS[month]), 14)
    api.call("POST", "finance_approver", f"/api/v1/payment-batches/{batch_id}/approve")
    api.clock.set_office_day(date.fromisoformat(RUN_DAYS[month]), 16)
    api.call("POST", "finance", f"/api/v1/payment-batches/{batch_id}/export")


def settle_month(api: DemoApi, month: str) -> None:
    """The bank confirmed the month's transfers on its pay date (PD18)."""
    batch_id = api.batches[month]
    api.on(municipality_pay_date(month).isoformat(), 15)
    api.call("POST", "finance", f"/api/v1/payment-batches/{batch_id}/settle")
    api.step(f"支払処理 {month}: 支払バッチ #{batch_id} の振込完了")


def _finance_actor(session: Any, clock: FixedClock) -> Actor:
    user = session.scalar(select(AppUser).where(AppUser.username == "demo-finance"))
    return Actor(user_id=user.id, username=user.username, role=user.role, clock=clock)


def write_outputs(api: DemoApi, out_dir: Path, session_factory: Any) -> dict[str, Any]:
    """Write every output from what the database holds (byte-identical on a rerun)."""
    for sub in ("zengin", "letters", "finance"):
        (out_dir / sub).mkdir(parents=True, exist_ok=True)
    batches = []
    payments = {"count": 0, "total_yen": 0}
    for batch in api.call("GET", "finance", "/api/v1/payment-batches"):
        if batch["file"] is None or batch["status"] == "cancelled":
            continue
        content = api.call("GET", "finance", f"/api/v1/payment-batches/{batch['id']}/file")
        relative = f"zengin/{batch['file']['filename']}"
        (out_dir / relative).write_bytes(content)
        batches.append({"id": batch["id"], "benefit_month": batch["benefit_month"], "file": relative,
                        "count": batch["file"]["record_count"], "total_yen": batch["file"]["total_yen"],
                        "sha256": hashlib.sha256(content).hexdigest()})
        if batch["benefit_month"] == BENEFIT_MONTH:
            payments["count"] += batch["payment_count"]
            payments["total_yen"] += batch["total_yen"]
    letters = []
    for case in api.call("GET", "clerk", "/api/v1/cases"):
        for letter in api.call("GET", "clerk", f"/api/v1/cases/{case['id']}/letters"):
            relative = f"letters/{letter['id']:04d}-{letter['letter_type']}-{letter['addressee_kind']}.pdf"
            (out_dir / relative).write_bytes(api.call("GET", "clerk", f"/api/v1/letters/{letter['id']}/pdf"))
            letters.append(relative)
    api.step(f"通知書: {len(letters)} 件を letters/ に出力")
    for batch in batches:
        for statement in api.call("GET", "finance", f"/api/v1/payment-batches/{batch['id']}/statement-files"):
            number = statement["number"]  # the archived copy the worker stored, as finance downloads it
            relative = f"letters/remittance-batch{batch['id']}-{number:02d}.pdf"
            (out_dir / relative).write_bytes(api.call(
                "GET", "finance", f"/api/v1/payment-batches/{batch['id']}/statement-files/{number}.pdf"))
            letters.append(relative)
    with unit_of_work(session_factory) as session:
        finance = _finance_actor(session, api.clock)
        for batch in batches:
            export_finance_files(session, finance, batch["id"], out_dir / "finance" / f"batch-{batch['id']}")
        (out_dir / "finance" / f"statistics-{BENEFIT_MONTH}.csv").write_bytes(
            monthly_statistics_csv(session, finance, BENEFIT_MONTH))
    api.step(f"出力: 振込ファイル {len(batches)} 件を zengin/、支払一覧等を finance/ に出力")
    return {"benefit_month": BENEFIT_MONTH, "payments": payments, "batches": batches, "letters": letters}
