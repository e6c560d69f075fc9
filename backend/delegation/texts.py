"""Every user-facing text of the delegation package, in one place for review (zh-Hans)."""

from __future__ import annotations

from typing import Final

# --- citizens of the agent's village --------------------------------------------------------
CITIZEN_NOT_FOUND: Final = "找不到该群众，或该群众不在您负责的村（社区）。"
VILLAGE_NOT_YOURS: Final = "只能登记本村（社区）的群众；其他村（社区）的群众请由当地代办员登记。"
TOWNSHIP_NOT_YOURS: Final = "只能登记本网点所在镇街的群众。"

# --- mandates -------------------------------------------------------------------------------
MANDATE_NOT_FOUND: Final = "找不到该委托。"
SCOPE_REQUIRED: Final = "请选择委托办理的事项（item_codes）或一件事（bundle_code），二者选一。"
ITEM_UNKNOWN: Final = "事项 {code} 不存在。"
ITEM_NOT_DELEGABLE: Final = "“{name}”须本人办理，不能委托代办。"
BUNDLE_UNKNOWN: Final = "一件事 {code} 不存在。"
EXPIRY_PAST: Final = "委托到期日须晚于今天。"
EXPIRY_TOO_FAR: Final = "委托期限最长 {days} 天，请在 {last} 之前选择到期日。"
EVIDENCE_INCOMPLETE: Final = "纸质委托须上传群众签字的委托书和身份证照片，还缺少：{missing}。"
NEEDS_EVIDENCE: Final = (
    "该群众未使用微信小程序，无法在线确认委托；请上传群众签字的委托书和身份证照片。"
)
MANDATE_NOT_PENDING: Final = "该委托不在待确认状态，不能再确认或拒绝。"
MANDATE_NOT_REVOCABLE: Final = "该委托已结束，无需撤销。"
MANDATE_EXPIRED_NOW: Final = "该委托已过期，不能再确认；如仍需代办，请联系代办员重新发起。"

# why a mandate does not allow an action (403 mandate_required)
NOT_LIVE: Final[dict[str, str]] = {
    "pending": "群众尚未在小程序中确认该委托，确认后才能代为办理。",
    "refused": "群众已拒绝该委托，不能代为办理。",
    "revoked": "群众已撤销该委托，不能再代为办理新的事务。",
    "expired": "该委托已过期，不能再代为办理新的事务；如需继续代办，请重新办理委托。",
}
OUT_OF_SCOPE: Final = "该委托不包括“{name}”，请先办理包含该事项的委托。"
OTHER_CITIZEN: Final = "该委托不是为此群众办理的。"

# --- custody (镇村联动) ----------------------------------------------------------------------
HANDOVER_NOT_FOUND: Final = "找不到该交接批次。"
HANDOVER_EMPTY: Final = "请至少选择一件办件放入交接批次。"
HANDOVER_TOO_MANY: Final = "一个交接批次最多 {limit} 件。"
HANDOVER_CASES_UNKNOWN: Final = "以下办件不能放入交接批次：{numbers}。"
HANDOVER_NOTHING_TO_SEND: Final = "以下办件没有待送交的纸质原件：{numbers}。"
HANDOVER_TOWNSHIPS: Final = "一个交接批次只能送往一个镇街，请按镇街分批。"
HANDOVER_NOT_RESULTS: Final = "以下办件没有待交代办员转交的出件：{numbers}。"
HANDOVER_AGENTS: Final = "一个交接批次只能交给一位代办员，请按代办员分批。"
HANDOVER_RECEIVED: Final = "该交接批次已确认接收。"
HANDOVER_MISSING_BAD: Final = "缺失登记有误：{problems}。"
RESULT_NOT_RECEIVED: Final = "出件尚未交到您手中（交接批次未确认接收），不能登记交付群众。"
PHOTO_REQUIRED: Final = "请上传交付时的照片作为凭证。"

# --- timeline notes -------------------------------------------------------------------------
NOTE_FILED: Final = "代办员{name}受委托代为申请"
NOTE_SENT: Final = "纸质原件（{items}）已放入交接批次 {code}，送往镇街"
NOTE_RECEIVED: Final = "镇街已接收交接批次 {code}"
NOTE_RECEIVED_MISSING: Final = "镇街已接收交接批次 {code}，缺少：{missing}"
NOTE_RESULT_SENT: Final = "出件已放入交接批次 {code}，交代办员转交"
NOTE_RESULT_RECEIVED: Final = "代办员已领取出件（交接批次 {code}）"
NOTE_HANDED: Final = "代办员已将出件交到申请人手中"

# --- errands --------------------------------------------------------------------------------
NEEDS: Final[dict[str, str]] = {
    "supply_materials": "补齐材料：{detail}",
    "bring_originals": "送交纸质原件：{detail}",
    "bring_missing": "补送镇街登记缺失的原件：{detail}",
    "pick_up_result": "到镇街领取出件",
    "hand_over": "将出件交到申请人手中并拍照登记",
}

# --- numbers registered elsewhere (docs/personal-data.md) ------------------------------------
REGISTERED_ELSEWHERE: Final = (
    "实名核验已通过，但该身份证号码已登记在其他村（社区）。如群众已迁入本村，"
    "请联系镇街便民服务中心更正所在村（社区）。"
)
REFERRED_TO_TOWNSHIP: Final = (
    "该身份证号码需由镇街便民服务中心核实后才能登记，已提交核实，请等待镇街处理。"
)
REFERRAL_NOT_FOUND: Final = "找不到该待核实登记，或已处理。"
REFERRAL_OUTCOME: Final = "处理结果须为 moved（已迁入本村）或 refused（不予登记）。"
REFERRAL_NOTE_REQUIRED: Final = "请填写核实情况（如查验身份证件的结果）。"
