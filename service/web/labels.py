"""Japanese labels for the screens (codes stay English in the database and the API)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from calculations import vocabulary
from payments import bank_codes

ROLE = {"agency": "自立相談支援機関", "clerk": "担当職員（起案）", "approver": "決裁者",
        "finance": "会計担当", "admin": "システム管理者"}

BENEFIT = {"rent": "家賃補助", "moving": "転居費用補助"}

CASE_STATUS = {"open": "受付中", "granted": "支給決定済", "closed": "終了"}

APPLICATION_STATUS = {"draft": "下書き", "submitted": "申請済（審査待ち）", "decided": "決定済",
                      "refused": "不支給", "certified": "支給対象者証明書交付済"}

APPLICATION_KIND = {"initial": "新規申請", "extension": "延長申請", "change": "変更申請"}

DECISION_KIND = vocabulary.screen_labels(vocabulary.DecisionKind)

DECISION_STATUS = {"draft": "決裁待ち", "approved": "決裁済", "returned": "差戻し", "superseded": "更正済"}

GRANT_STATUS = {"active": "支給中", "interrupted": "中断中", "certified": "支給対象者証明書交付済", "stopped": "中止",
                "ended": "支給期間終了", "awaiting_move_report": "転居報告待ち", "confirmed": "額確定"}

MONTH_STATUS = {"scheduled": "支給予定", "in_batch": "支払処理中", "paid": "支払済", "settled": "振込完了", "cancelled": "取消",
                "interrupted": "中断"}
#: the case list's status filter (an application with no grant yet, or the grant's state)
CASE_FILTER_STATUS = {"draft": "申請書作成中", "submitted": "審査中", "refused": "不支給",
                      "certified": "支給対象者証明書交付済", "active": "支給中", "interrupted": "中断中",
                      "awaiting_move_report": "転居報告待ち", "confirmed": "額確定", "stopped": "中止",
                      "ended": "支給期間終了"}
ADDRESSEE_KIND = {"recipient": "申請者", "landlord": "貸主・不動産媒介業者等", "council": "社会福祉協議会",
                  "agency": "自立相談支援機関", "removal_company": "引越事業者"}
CASE_SORT = {"new": "新しい順", "old": "古い順", "kana": "フリガナ順", "updated": "更新の新しい順"}


STOP_CAUSE = vocabulary.screen_labels(vocabulary.StopCause)

STOP_EVIDENCE = {
    "monthly_activity_counts": "月ごとの求職活動回数の記録",
    "interview_records": "面談記録",
    "hello_work_confirmations": "ハローワーク相談の確認",
    "reminder_log": "督促・連絡の記録",
    "employment_notification": "就職の届出",
    "pay_slips": "給与明細",
    "move_out_confirmation": "退去の確認書類",
    "false_statement_evidence": "虚偽申請の根拠資料",
    "police_confirmation": "警察への照会結果",
    "sentencing_record": "判決等の記録",
    "public_assistance_start_notice": "生活保護開始の通知",
    "death_record": "死亡の記録",
    "whereabouts_investigation_record": "所在調査の記録",
}

REPAYMENT_CAUSE = vocabulary.screen_labels(vocabulary.RepaymentCause)

DOCUMENT_KIND = {
    "identity": "本人確認書類",
    "job_loss_proof": "離職・廃業を確認できる書類",
    "reduced_work_proof": "休業等で収入が減少したことを確認できる書類",
    "income_evidence": "収入を確認できる書類",
    "bank_book_copies": "金融資産を確認できる書類（通帳の写し等）",
    "dwelling_status_notice": "入居住宅に関する状況通知書",
    "hello_work_registration": "求職申込みを確認できる書類",
    "change_evidence": "変更の事実を確認できる書類",
    "income_drop_proof": "収入が減少したことを確認できる書類",
    "cost_estimates": "転居費用の見積書",
    "housing_report": "住居確保報告書",
    "expense_evidence": "支出額確認書類",
    "monthly_report": "求職活動状況報告書",
    "evidence": "証拠書類",
}

CONSENT = {
    "repayment_if_false": "虚偽の申請等により受給した場合は返還を求められること",
    "no_gang_members": "世帯員に暴力団員がいないこと",
    "job_search_requirements": "毎月の求職活動（面談・ハローワーク相談・応募）の要件",
    "stop_cases": "支給が中止となる場合",
    "extension_conditions": "支給期間の延長の条件",
    "initial_costs_not_covered": "敷金・礼金等の初期費用は対象外であること",
    "partial_rent_over_ceiling": "上限額を超える家賃は自己負担となること",
    "refusal_if_no_improvement": "転居により家計が改善しない場合は支給されないこと",
    "deposit_and_advance_rent_excluded": "敷金・前家賃は対象外であること",
    "partial_over_cap": "上限額を超える部分は自己負担となること",
    "share_with_council": "決定通知書の写しを社会福祉協議会に送付すること（生活福祉資金の借受人の場合）",
}

RELATIONSHIP = vocabulary.screen_labels(vocabulary.Relationship)

INCOME_KIND = vocabulary.screen_labels(vocabulary.IncomeKind)

TRIGGER_KIND = vocabulary.screen_labels(vocabulary.TriggerKind)
TRIGGER_CAUSE = {"dismissal": "解雇", "employer_reasons": "会社都合", "voluntary": "自己都合", "other": "その他"}
INCOME_DROP_CAUSE = {"death": "主たる生計維持者の死亡", "job_loss": "離職・廃業",
                     "reduced_work": "休業等による収入の減少"}
#: PD13 cost categories: initial costs paid to the agent, other eligible costs, excluded costs.
MOVING_COST = vocabulary.screen_labels(vocabulary.MovingCostCategory)
APPLICANT_TYPE = vocabulary.screen_labels(vocabulary.ApplicantType)
#: the payee of an application (代理受領): never the recipient
PAYEE_KIND = {k: v for k, v in vocabulary.screen_labels(vocabulary.PayeeKind).items() if k != "recipient"}
ACCOUNT_TYPE = vocabulary.screen_labels(vocabulary.AccountType)

FIELD = {
    "benefit": "給付の種類",
    "municipality_code": "申請先の市区町村",
    "application_date": "申請日",
    "assets_yen": "金融資産の額",
    "household": "世帯員",
    "relationship": "続柄",
    "birth_date": "生年月日",
    "student": "就学の有無",
    "declarations": "申告事項",
    "hello_work_registered": "ハローワークへの求職申込み",
    "similar_benefit": "類似の給付の受給",
    "gang_member_in_household": "世帯員に暴力団員がいるか",
    "applicant_type": "申請者の区分",
    "rent_yen": "家賃額",
    "common_charges_yen": "共益費・管理費",
    "lease_initial_costs_paid_on": "初期費用を支払った日",
    "moved_in_on": "入居した日",
    "trigger": "離職・廃業等の状況",
    "kind": "種類",
    "date": "日付",
    "cause": "理由",
    "main_earner": "主たる生計維持者",
    "job_search_blocked_days": "求職活動ができなかった日数",
    "applicant": "申請者",
    "name": "氏名・名称",
    "name_kana": "氏名（カナ）",
    "address": "住所",
    "phone": "電話番号",
    "payee": "支払先（代理受領）",
    "payee_kind": "支払先の種別",
    "corporate_number": "法人番号",
    "bank_code": "金融機関コード",
    "branch_code": "支店コード",
    "account_type": "預金種目",
    "account_number": "口座番号",
    "holder_kana": "口座名義（カナ）",
    "consents": "説明と同意",
    "emergency": "緊急対応の有無",
    "plan": "プラン",
    "plan_date": "プラン作成日",
    "coordination_meeting_date": "支援調整会議の日",
    "meeting_date": "支援調整会議の開催日",
    "documents": "必要書類",
    "incomes": "収入",
    "amount_yen": "金額",
    "commuting_allowance_yen": "通勤手当",
    "current_rent_yen": "現在の家賃",
    "destination": "転居先",
    "income_drop": "収入の減少",
    "month": "月",
    "household_finance_review": "家計の確認",
    "move_needed": "転居の必要性",
    "cannot_fund": "転居費用を自ら用意できないこと",
    "costs": "転居費用",
    "category": "費目",
}

class _MunicipalityNames(Mapping[str, str]):
    """Every municipality of the rate data by code (PD25): 131016 → 東京都千代田区 (and its kana)."""

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        from service import rules

        return {code: f"{m.prefecture}{m.name}{m.ward}" for code, m in rules.rate_book().municipalities.items()}

    def __getitem__(self, code: str) -> str:
        return self._names[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


MUNICIPALITY: Mapping[str, str] = _MunicipalityNames()

AUDIT_ACTION = {
    "application.create": "申請書を作成",
    "application.update": "申請書を更新",
    "application.submit": "申請を提出",
    "application.read": "申請書を閲覧",
    "document.upload": "書類を登録",
    "document.read": "書類を閲覧",
    "decision.draft": "決定を起案",
    "decision.approve": "決定を決裁",
    "decision.return": "決定を差戻し",
    "decision.read": "決定を閲覧",
    "case.read": "ケースを閲覧",
    "grant.read": "支給期間を閲覧",
    "monthly_report.record": "求職活動状況報告を登録",
    "letter.read": "通知書を閲覧",
    "stop_proposal.generate": "中止の提案を作成",
    "payee.create": "支払先を登録",
    "payee.update": "支払先を変更",
    "grant_payee.assign": "支払先を割当て",
    "repayment.plan": "分割納付計画を登録",
    "repayment.receipt": "返還金の収納を記録",
    "web.login": "ログイン",
    "web.logout": "ログアウト",
    "web.login_locked": "ログインを一時停止（失敗の繰り返し）",
    "web.login_throttled": "ログインを待機（失敗の繰り返し）",
    "application.return": "申請を支援機関に差戻し",
    "application.coordination": "支援調整会議の情報を登録",
    "coordination_report.record": "支援調整会議への事後報告を登録",
    "document.written_record": "記録書を作成",
    "case.search": "ケースを検索",
    "letter.plan": "通知書の作成を予約",
    "letter.plan_failed": "通知書の作成予約に失敗",
    "letter.issue": "通知書を発行",
    "letter.render_failed": "通知書の作成に失敗",
    "letter.retry": "通知書の作成を再試行",
    "letter.list": "通知書の一覧を閲覧",
    "letter.preview": "通知書のプレビューを閲覧",
    "letter.print_run": "発送文書を一括印刷",
    "payee.list": "支払先の一覧を閲覧",
    "payee.read": "支払先を閲覧",
    "payee.merge": "支払先を統合",
    "payment.run": "支払バッチを作成",
    "payment.returns_import": "振込不能・組戻しを取込み",
    "payment_batch.transfers_read": "支払バッチの振込明細を閲覧",
    "payment_file.download": "全銀ファイルをダウンロード",
    "payment_statement.archive": "支払明細書を保存",
    "payment_statement.archive_failed": "支払明細書の保存に失敗",
    "payment_statement.download": "支払明細書をダウンロード",
    "payment_statement.list": "支払明細書の一覧を表示",
    "payment_statement.read": "支払明細書を閲覧",
    "remittance_statements.print": "支払明細書を一括印刷",
    "refund.draft": "還付を起案",
    "refund.batched": "還付を支払バッチに計上",
    "finance.export": "会計データを出力",
    "statistics.export": "統計を出力",
    "audit.read": "監査ログを閲覧",
    "agency.create": "支援機関を登録",
    "admin.agency_create": "支援機関を登録",
    "admin.user_create": "利用者を登録",
    "user.create": "利用者を登録",
    "user.deactivate": "利用者を無効化",
    "user.password_reset": "パスワードを再設定",
    "token.issue": "APIトークンを発行",
    "token.revoke": "APIトークンを失効",
}


def field_label(path: str) -> str:
    """``facts.household.0.birth_date`` → ``世帯員1 生年月日``; ``documents.identity`` → the document name."""
    parts = path.split(".")
    if parts and parts[0] in ("facts", "intake"):
        parts = parts[1:]
    if parts and parts[0] == "documents" and len(parts) > 1:
        return f"必要書類：{DOCUMENT_KIND.get(parts[1], parts[1])}"
    if parts and parts[0] == "consents" and len(parts) > 1:
        return f"説明と同意：{CONSENT.get(parts[1], parts[1])}"
    out: list[str] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if part.isdecimal():
            out[-1:] = [f"{out[-1] if out else ''}{int(part) + 1}"]
        else:
            out.append(FIELD.get(part, part))
        index += 1
    return " ".join(out)


def missing_message(item: dict[str, Any]) -> str:
    field = str(item.get("field", ""))
    label = field_label(field)
    if field.startswith("documents."):
        return f"{label} がまだ登録されていません"
    if ".consents." in field:
        return f"{label} の説明と同意が未確認です"
    if item.get("message") == "unknown":
        return f"{label} が全銀の金融機関一覧にありません。選び直してください"
    if field == "intake.emergency":
        return "緊急対応に該当するかを選択してください"
    if field == "intake.plan.plan_date":
        return "プラン作成日を入力してください（緊急対応の場合は不要）"
    return f"{label} を入力してください"


_REF = r"(?:R\d+(?:[-–]R?\d+)?|PD\d+)(?![A-Za-z0-9])"
_REFS = rf"\b{_REF}(?:\s*[、,・]\s*{_REF})*"
_INTERNAL_REF = re.compile(rf"[（(]\s*{_REFS}\s*[）)]|{_REFS}[\u3000 ]*")


def public_text(text: Any) -> str:
    """Text for people: the internal rule numbers (R12, PD17) taken out, the 法・規則 articles kept (PD32)."""
    return _INTERNAL_REF.sub("", str(text if text is not None else "")).strip()


def yen(value: Any) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}円"
    except (TypeError, ValueError):
        return str(value)


def month_ja(value: Any) -> str:
    text = str(value or "")
    if len(text) == 7 and text[4] == "-":
        return f"{int(text[:4])}年{int(text[5:])}月"
    return text or "—"


def date_ja(value: Any) -> str:
    text = str(value or "")[:10]
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{int(text[:4])}年{int(text[5:7])}月{int(text[8:])}日"
    return text or "—"


#: the office's time zone: every moment on a screen is Japanese time (stored moments are UTC)
OFFICE_ZONE = ZoneInfo("Asia/Tokyo")


def datetime_ja(value: Any) -> str:
    """A stored moment as the office reads it: ``2026-11-30T16:00Z`` → ``2026年12月1日 01:00`` (JST).
    A naive datetime is UTC (SQLite hands them back naive); a bare date stays a date."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value)
        if len(text) < 16:
            return date_ja(text)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return f"{date_ja(text[:10])} {text[11:16]}"
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    local = aware.astimezone(OFFICE_ZONE)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


FILTERS = {"bank": bank_codes.display_name, "public_text": public_text, "yen": yen, "month_ja": month_ja, "date_ja": date_ja, "datetime_ja": datetime_ja}

TABLES = {
    "ROLE": ROLE, "BENEFIT": BENEFIT, "CASE_STATUS": CASE_STATUS, "APPLICATION_STATUS": APPLICATION_STATUS,
    "APPLICATION_KIND": APPLICATION_KIND, "DECISION_KIND": DECISION_KIND, "DECISION_STATUS": DECISION_STATUS,
    "GRANT_STATUS": GRANT_STATUS, "MONTH_STATUS": MONTH_STATUS, "STOP_CAUSE": STOP_CAUSE,
    "STOP_EVIDENCE": STOP_EVIDENCE, "REPAYMENT_CAUSE": REPAYMENT_CAUSE, "DOCUMENT_KIND": DOCUMENT_KIND,
    "CONSENT": CONSENT, "RELATIONSHIP": RELATIONSHIP, "INCOME_KIND": INCOME_KIND, "TRIGGER_KIND": TRIGGER_KIND,
    "TRIGGER_CAUSE": TRIGGER_CAUSE, "APPLICANT_TYPE": APPLICANT_TYPE, "PAYEE_KIND": PAYEE_KIND,
    "ACCOUNT_TYPE": ACCOUNT_TYPE, "INCOME_DROP_CAUSE": INCOME_DROP_CAUSE, "MOVING_COST": MOVING_COST,
    "MUNICIPALITY": MUNICIPALITY, "AUDIT_ACTION": AUDIT_ACTION,
    "CASE_FILTER_STATUS": CASE_FILTER_STATUS, "CASE_SORT": CASE_SORT, "ADDRESSEE_KIND": ADDRESSEE_KIND,
}


#: Each kind of letter by the name printed at its head (letters.model.LetterType), for the screens that
#: list letters still waiting to be rendered or that failed.
LETTER_TYPE = {
    "eligibility_certificate": "支給対象者証明書",
    "decision": "支給決定通知書",
    "refusal": "不支給決定通知書",
    "extension_decision": "支給期間延長決定通知書",
    "extension_refusal": "支給期間延長不支給決定通知書",
    "change_decision": "支給額変更決定通知書",
    "stop_notice": "支給中止通知書",
    "interruption_notice": "支給中断決定通知書",
    "resumption_notice": "支給再開決定通知書",
    "repayment_demand": "返還請求書",
    "repayment_withdrawal": "返還請求取消通知書",
    "moving_decision": "転居費用補助 支給決定通知書",
    "moving_confirmation": "転居費用補助 支給額確定通知書",
    "proxy_payment_notice": "代理受領に関する通知書（貸主等あて）",
    "council_notice": "社会福祉協議会への通知",
    "remittance_statement": "支払明細書",
}

#: Why a letter could not be rendered, as the clerk must act on it (the letter outbox's error codes).
LETTER_FAILURE = {
    "missing_glyph": "氏名・住所などに、通知書の書体で印字できない文字があります。標準の字体に直してから再発行してください。",
    "letter_input": "決定の内容が通知書の記載事項を満たしていません（支払先・期間・金額などを確認してください）。",
}
#: Any other failure (e.g. the database was unavailable): retried; the administrator sees the log.
LETTER_FAILURE_OTHER = "作成中にシステムのエラーが発生しました。再発行しても直らない場合はシステム管理者に連絡してください。"
