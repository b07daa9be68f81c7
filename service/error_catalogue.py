"""One error catalogue (issue 14): every error code the service answers with, in Japanese.

The API keeps ``{"error": {"code", "message", "field"}}`` (contracts.md) and adds ``message_ja`` from
here; the screens show only this text and the field's Japanese name, never the English ``message``.
People read these, so they cite the 法 and 施行規則 where a rule is at stake, never the internal R-/PD-
numbers (PD32). ``tests/service/test_error_catalogue.py`` collects every code in the code base and
checks each has Japanese text here.
"""

from __future__ import annotations

import re

#: 法 = 生活困窮者自立支援法, 規則 = 同法施行規則
MESSAGES: dict[str, str] = {
    # --- general -------------------------------------------------------------------------------------
    "domain_error": "処理できませんでした。入力内容を確認してください。",
    "invalid": "入力内容を受け付けられません。入力内容を確認してください。",
    "validation_error": "入力の形式が正しくありません。項目の値を確認してください。",
    "bad_request": "要求の形式が正しくありません。",
    "malformed_json": "送信されたデータの形式（JSON）が正しくありません。",
    "invalid_json": "送信されたデータの形式（JSON）が正しくありません。",
    "unreadable_input": "送信されたデータを読み取れません。",
    "unauthorized": "ログインまたは認証トークンが必要です。",
    "forbidden": "この操作を行う権限がありません。",
    "not_found": "対象が見つかりません。",
    "method_not_allowed": "この操作はこの画面・宛先では行えません。",
    "conflict": "ほかの操作と競合しました。画面を再読み込みしてからやり直してください。",
    "statements_pending": "支払明細書を作成中です。すべての支払明細書ができてからダウンロードしてください（バッチの画面に作成済みの件数を表示しています）。",
    "concurrent_modification": "他の職員が同じケースを更新しました。画面を再読み込みしてからやり直してください。",
    "http_error": "要求を処理できませんでした。",
    "payload_too_large": "ファイルまたはデータが大きすぎます。",
    "unsupported_media_type": "PDF・JPEG・PNG のファイルを選んでください。",
    "out_of_range": "値が大きすぎるか、文字数が多すぎます。",
    "database_unavailable": "データベースに接続できません。何も変更されていません。しばらくしてからやり直してください。",
    "rule_violation": "制度上の要件により、この操作は行えません。",
    "invalid_filter": "検索・絞り込みの条件が正しくありません。",
    "individual_number": "個人番号（マイナンバー）は入力・保存できません。該当する記載を削除してください。",
    # --- assessment input (contracts.md §1) -------------------------------------------------------------
    "missing_field": "必要な項目が入力されていません。",
    "invalid_value": "選択肢にない値です。",
    "invalid_date": "存在しない日付、または日付の形式（2025-05-12）が正しくありません。",
    "invalid_month": "年月の形式（2025-05）が正しくありません。",
    "not_a_boolean": "「はい」か「いいえ」を選んでください。",
    "not_a_list": "一覧の形式で入力してください。",
    "not_an_object": "項目の形式が正しくありません。",
    "not_integer_yen": "金額は1円単位の整数で入力してください。",
    "negative_yen": "金額に負の値は入力できません。",
    "implausible_yen": "金額が大きすぎます。桁を確認してください。",
    "empty_household": "世帯員を1人以上入力してください。",
    "household_too_large": "世帯の人数が基準額の表の範囲を超えています。",
    "applicant_first": "申請者本人を世帯員の最初に、1人だけ入力してください。",
    "born_after_application": "生年月日が申請日より後になっています。",
    "date_after_application": "日付が申請日より後になっています。",
    "month_after_application": "年月が申請日より後になっています。",
    "commuting_above_wages": "通勤手当が給与の額を超えています。",
    "invalid_blocked_days": "求職活動ができなかった日数は、0日または30日以上で入力してください。",
    "not_applicable": "この項目はこの収入の種類には入力できません。",
    "not_in_force": "申請日には、この給付の制度がまだ施行されていません（転居費用補助は令和7年4月1日から）。",
    "unknown_municipality": "この市区町村の基準額・上限額の表がありません。市区町村を確認してください。",
    "unknown_destination": "転居先の市区町村が見つかりません。都道府県と市区町村を選び直してください。",
    "no_rate_table": "この時期の基準額・上限額の表がありません。申請日を確認してください。",
    # --- applications --------------------------------------------------------------------------------
    "incomplete_application": "申請に不足している項目があります。",
    "not_draft": "提出済みの申請は変更できません。",
    "not_submitted": "この申請はまだ提出されていません。",
    "already_decided": "この申請はすでに決定済みです。",
    # --- decisions -----------------------------------------------------------------------------------
    "two_person_rule": "起案した職員は、同じ決定を決裁できません（二者確認）。別の決裁者が決裁してください。",
    "stale_draft": "起案後にケースが変更されたため、この起案は決裁できません。差し戻して起案し直してください。",
    "already_reviewed": "この決定はすでに決裁または差戻し済みです。",
    "not_eligible": "審査の結果、支給要件（法第3条第3項、規則第10条）を満たしていません。不支給決定を起案してください。",
    "grant_running": "このケースには支給中の決定があります。",
    "grant_not_active": "この支給は支給中ではないため、この決定は行えません。",
    "evidence_missing": "支給中止（規則第15条）の理由に必要な証拠書類が不足しています。証拠書類を添付してください。",
    "plan_not_coordinated": "プランが支援調整会議を経ていません。会議の日付を入力するか、緊急対応として支給してください。",
    "extension_late": "延長申請の期限（規則第12条）を過ぎています。延長不承認を起案してください。",
    "nine_month_cap": "支給期間は通算9か月を超えられません（規則第12条）。",
    "certificate_first": "住居を喪失している方は、先に支給対象者証明書を交付します。",
    "housing_report_missing": "住居確保報告書が登録されていません。",
    "housing_report_late": "住居確保報告書の提出が期限を過ぎています。",
    "monthly_report_missing": "求職活動状況報告書が提出されていません。",
    "no_report_due": "このケースには、支援調整会議への事後報告を待つ緊急支給はありません。",
    "nothing_to_repay": "中止後に支払済の月がないため、返還はありません。",
    "not_stopped": "返還決定は支給中止の後に行います。",
    "already_claimed": "この支給にはすでに返還請求があります。訂正は返還決定の更正として起案してください。",
    "use_regrant": "以前に受給したことがあるため、再支給決定として起案してください。",
    "not_a_regrant": "以前の受給がないため、再支給決定ではなく支給決定として起案してください。",
    "not_homeless": "支給対象者証明書は住居を喪失している方への決定です。",
    "not_supersedable": "この決定は更正できません。",
    "nothing_to_interrupt": "中断できる支給予定の月がありません。",
    "not_interrupted": "中断していない支給は再開できません。",
    "resumption_too_late": "中断から2年を過ぎたため、支給を再開できません。",
    "overlap": "再開後の月が、すでに決定済みの月と重なっています。",
    "not_awaiting_report": "この転居費用補助は、転居後の報告を待っていません。",
    "move_documents_missing": "転居後の住居確保報告書と支出額確認書類が必要です。",
    "not_payable": "この月は支払の対象ではありません。",
    # --- letters -------------------------------------------------------------------------------------
    "not_approved": "通知書は決裁の後に発行します。",
    "no_letterhead": "この市区町村の通知書の設定（レターヘッド）がありません。",
    "missing_glyph": "通知書に印字できない文字があります。氏名・住所を標準的な字体で入力し直してください。",
    "letter_input": "通知書に必要な情報が不足しています。申請内容を確認してください。",
    "wording_changed": "通知書の文面が改訂されたため、保存済みのPDFから印刷してください。",
    "months_changed": "決定後に支給月が変わったため、この通知書は作成できません。",
    "no_period": "この支給には終了する支給期間がありません。",
    "nothing_withdrawn": "この決定で取り消される返還請求はありません。",
    # --- payments and receivables ------------------------------------------------------------------------
    "schedule_error": "支払予定を作成できないため、支払処理を中止しました。設定と支払予定を確認してください。",
    "run_in_progress": "同じ月の支払処理が実行中です。終わるまでお待ちください。",
    "already_paid": "この月はすでに支払済みです（二重払いはしません）。画面を再読み込みしてください。",
    "batch_state": "この支払バッチは、現在の状態ではこの操作を行えません。",
    "batch_cancelled": "取り消された支払バッチの全銀ファイルはダウンロードできません。",
    "not_exported": "この支払バッチはまだ全銀ファイルを出力していません。決裁後に「全銀ファイルを出力」してください。",
    "batch_stale": "作成後に支給中止・中断された月が含まれています。この支払バッチを取り消し、支払処理をやり直してください。",
    "pay_date_past": "振込指定日が過ぎています。次の銀行営業日以降の日を振込指定日に指定して出力してください。",
    "pay_date_not_business_day": "振込指定日が銀行の休業日です。銀行営業日を指定してください。",
    "pay_date_too_late": "振込指定日が1年以上先です。",
    "too_long": "文字数が多すぎます。",
    "zengin_refused": "この支払先は全銀ファイルに書けないため、対象外にしました。支払先の登録内容を確認してください。",
    "month_out_of_range": "この年月は支払処理の対象外です（支給の基準が定められていない年月です）。",
    "month_not_due": "この月はまだ支払期日前です。次回の振込日の月までしか支払処理できません。",
    "account_registered": "この口座はすでに別の支払先として登録されています。既存の支払先を確認・修正してください。",
    "payee_invalid": "申請時の支払先を登録できないため、対象外にしました。支払先を登録して割り当ててください。",
    "transfer_file_error": "振込ファイルを作成できませんでした。",
    "transfer_file_invalid": "振込ファイルの検査で誤りが見つかったため、出力を中止しました。",
    "control_totals": "振込ファイルの件数・金額の合計が、承認した支払バッチと一致しません。",
    "returns_invalid": "振込不能・組戻しのファイルに誤りがあるため、何も取り込んでいません。",
    "payee_missing": "支払先（代理受領の口座）が登録されていません。",
    "claim_withdrawn": "この返還請求は取り消されています。",
    "plan_total": "分割額の合計が債権額と一致しません。",
    "overpayment": "残高を超える金額は収納できません。",
    "negative_balance": "訂正額が収納済の額を超えています。",
    # --- administration ------------------------------------------------------------------------------
    "user_exists": "同じユーザー名がすでに登録されています。",
    "agency_exists": "同じ機関コードがすでに登録されています。",
    # --- added with the payments, letters, security and lifecycle work ----------------------------------
    "already_issued": "この通知書はすでに発行済みです。",
    "application_not_returnable": "この申請は差し戻せません（提出済みで未決定の申請だけを差し戻せます）。",
    "content_mismatch": "ファイルの中身が、選んだファイルの種類（PDF・JPEG・PNG など）と一致しません。",
    "evidence_not_on_file": "中止の証拠は、ケースの書類を選ぶか記録を入力してください。チェックだけでは決定できません。",
    "household_already_granted": "同じ世帯が別のケースで同じ月の家賃補助を受けています。重ねて支給できません。",
    "no_refund_due": "還付が必要な額はありません。",
    "print_run_empty": "この日に印刷する通知書はありません。",
    "refund_payee_kind": "還付は受給者本人の口座（支払先の種別「受給者本人」）へ振り込みます。",
    "refund_state": "この還付指示は、今の状態ではこの操作ができません。画面を再読み込みしてください。",
    "rent_running": "同じ世帯の家賃補助の支給期間中です。同じ月に転居費用補助は支給できません。",
    "self_deactivation": "管理者は自分自身を利用停止にできません。",
    "too_deeply_nested": "送信されたデータの入れ子が深すぎます。",
    "user_inactive": "このユーザーは利用停止中です。",
    "weak_password": "パスワードは12文字以上で、推測されやすいものは使えません。",
}

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def message_ja(code: str | None) -> str:
    """The Japanese message of ``code`` (a generic one for a code not yet in the catalogue)."""
    return MESSAGES.get(code or "", MESSAGES["domain_error"])


def is_japanese(text: str) -> bool:
    return bool(_JAPANESE.search(text))
