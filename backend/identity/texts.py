"""Every user-facing text of the identity package, in one place for review (Simplified Chinese)."""

from __future__ import annotations

from typing import Final

# --- ID numbers -----------------------------------------------------------------------------
ID_SHAPE: Final = "身份证号码应为 18 位：前 17 位为数字，最后一位为数字或字母 X。"
ID_REGION: Final = "身份证号码的地区代码不正确，请核对后重新填写。"
ID_BIRTH_DATE: Final = "身份证号码中的出生日期不正确，请核对后重新填写。"
ID_CHECK_DIGIT: Final = "身份证号码校验位不正确，请核对后重新填写。"

# --- binding --------------------------------------------------------------------------------
NAME_INVALID: Final = "姓名应为 2–30 个汉字或字母，少数民族姓名可使用间隔号“·”。"
VILLAGE_UNKNOWN: Final = "所选村（社区）不存在，请重新选择。"
VILLAGE_NOT_VILLAGE: Final = "请选择到村（社区）一级。"
CONSENT_MISSING: Final = "请先阅读并同意《个人信息保护告知书》。"
IDENTITY_INVALID: Final = "提交的实名信息有误：{problems}"
ID_TAKEN: Final = "该身份证号码已绑定其他微信账号。如有疑问，请携带身份证到就近的便民服务中心咨询。"
IDENTITY_LOCKED: Final = (
    "您的实名信息已通过核验，不能再更改姓名或身份证号码；如需更正，请到镇街便民服务中心办理。"
)
TAKEOVER_REFUSED: Final[dict[str, str]] = {
    "name_mismatch": "该身份证号码已由代办员或窗口登记，但姓名与登记的不一致，暂不能绑定。"
    "已通知登记的代办员核实，您也可以携带身份证到村（社区）代办点或镇街便民服务中心办理。",
    "not_verified": "该身份证号码已由代办员或窗口登记；须通过实名核验才能绑定到您的微信，"
    "目前未开通实名核验。已通知登记的代办员，请携带身份证到村（社区）代办点办理。",
    "verify_unavailable": "该身份证号码已由代办员或窗口登记；实名核验服务暂时不可用，"
    "核验通过后才能绑定到您的微信，请稍后再试。",
    "not_matched": "该身份证号码已由代办员或窗口登记，但实名核验未通过，暂不能绑定。"
    "已通知登记的代办员核实。",
}
NEEDS_VERIFICATION: Final = (
    "该身份证号码须通过实名核验才能绑定，目前无法完成核验。"
    "请稍后再试，或携带身份证到村（社区）代办点、镇街便民服务中心办理。"
)
IDENTITY_NOT_MATCHED: Final = "姓名与身份证号码不一致，请核对后重新填写。"
CITIZEN_NOT_FOUND: Final = "找不到该群众。"
ID_NUMBER_NOT_BOUND: Final = "尚未绑定身份证号码。"

VERIFIED: Final = "实名核验已通过。"
VERIFY_UNAVAILABLE: Final = (
    "实名核验服务暂时不可用：身份信息已保存，但尚未核验。请稍后再次提交以完成核验。"
)
VERIFY_DISABLED: Final = "身份信息已保存，暂未开通实名核验。"

# --- citizens registered without WeChat (window walk-ins, village agents) ----------------
APPLICANT_INVALID: Final = "申请人信息有误：{problems}"
APPLICANT_NAME_MISMATCH: Final = (
    "该身份证号码已登记在其他姓名下，请核对申请人的身份证件；"
    "如需更正姓名，请按实名信息更正流程办理。"
)
PHONE_INVALID: Final = "手机号码应为 5–20 位数字。"

# --- phone ----------------------------------------------------------------------------------
PHONE_CODE_INVALID: Final = "获取手机号失败，授权可能已过期，请重新授权后再试。"
WECHAT_UNAVAILABLE: Final = "微信服务暂时不可用，请稍后再试。"

# --- audit ----------------------------------------------------------------------------------
REASON_REQUIRED: Final = "查看完整身份证号码须说明理由。"
REASON_HIDDEN: Final = (
    "理由含有不能使用的字符（控制字符、零宽字符或文字方向控制符），请删去后重试。"
)

# --- deletion (PIPL art. 47) ----------------------------------------------------------------
DELETION_RECEIVED: Final = (
    "您的删除申请已提交，管理员核实后将删除下列个人信息，处理结果会通过消息通知您。"
    "依法须保存的信息将在保存期满后删除。"
)
DELETION_ALREADY_PENDING: Final = "您已提交过删除申请，正在等待管理员处理。"
DELETION_ALREADY_APPROVED: Final = "您的删除申请已获批准，个人信息即将删除，无需再次申请。"
DELETED_ITEMS: Final = (
    "微信登录信息（openid、unionid、会话密钥）",
    "手机号码",
    "姓名、身份证号码及由其得出的出生年份、性别（已提交办件中依法须保存的除外）",
    "所在村（社区）与隐私告知同意记录",
    "尚未用于办件的上传文件",
    "订阅消息授权与消息记录",
)
KEPT_CASES: Final = "已提交的办件及其申请材料、审批记录"
KEPT_CASES_BASIS: Final = "政务服务办件须按档案管理规定保存"
KEPT_AUDIT: Final = "个人信息访问审计日志（谁在何时因何查看了您的信息）"
KEPT_AUDIT_BASIS: Final = "《个人信息保护法》《网络安全法》要求的访问记录，用于追责"
KEPT_REQUEST: Final = "本删除申请及其处理记录"
KEPT_REQUEST_BASIS: Final = "证明已依法处理您的申请，与审计日志同期保存"


def years(count: int) -> str:
    return f"{count} 年"


def days(count: int) -> str:
    return f"{count} 天"


DELETION_NOT_FOUND: Final = "找不到该删除申请，或已处理。"
DELETION_REASON_REQUIRED: Final = "批准或驳回删除申请须填写理由（将告知申请人）。"
DELETION_STATUS_UNKNOWN: Final = "状态须为 pending、approved、refused 或 completed。"
DELETION_OPEN_CASES: Final = (
    "该群众尚有未办结的办件，删除会中断办理；请待办结或撤回后再批准删除申请。"
)
# --- staff login and passwords ----------------------------------------------------------------
CREDENTIALS_INVALID: Final = "用户名或密码错误。"
ACCOUNT_INACTIVE: Final = "该账号已停用，请联系管理员。"
AUTH_SCHEME_WRONG: Final = "登录凭证须以 Authorization: Bearer <令牌> 的形式发送。"
SESSION_REVOKED: Final = "登录已失效（已退出登录、修改了密码或被管理员停用），请重新登录。"
PW_CHANGE_REQUIRED: Final = "请先修改密码（管理员发给您的是临时密码）后再继续操作。"
CURRENT_PW_WRONG: Final = "当前密码不正确。"
PW_TOO_SHORT: Final = "密码至少 {length} 位"
PW_IS_USERNAME: Final = "密码不能与用户名相同"
PW_IS_DEMO: Final = "不能使用演示账号的公开密码"
PW_TOO_COMMON: Final = "密码过于常见或容易被猜到，请混合使用字母、数字和符号，或使用几个不相关的词"
PW_SAME_AS_OLD: Final = "新密码不能与当前密码相同"
PW_INVALID: Final = "新密码不符合要求：{problems}。"
STAFF_NOT_FOUND: Final = "找不到该工作人员账号。"
CANNOT_DISABLE_SELF: Final = "不能停用自己的账号。"
ADMIN_REASON_REQUIRED: Final = "请填写操作理由。"
CANNOT_REASSIGN_SELF: Final = "不能修改自己的角色和区划。"
STAFF_CREATED_NOTE: Final = "管理员新建账号"


def login_locked(wait_s: int) -> str:
    return f"登录失败次数过多，请 {minutes(wait_s)} 分钟后再试。"


def login_rate_limited(wait_s: int) -> str:
    return f"该网络地址登录失败过多，请 {minutes(wait_s)} 分钟后再试。"


def minutes(wait_s: int) -> int:
    return max(1, (wait_s + 59) // 60)


HIDDEN_CHARS: Final = (
    "“{label}”含有不能使用的字符（控制字符、零宽字符或文字方向控制符），请删去后重试。"
)

TERMINAL_NOT_ALLOWED = "自助终端不能办理此项操作。"
KIOSK_NOT_ALLOWED = "自助终端上不能办理此项业务，请在微信小程序或到窗口办理。"
# --- H5 sign-in and phone by SMS ------------------------------------------------------------
REDIRECT_INVALID: Final = "登录后返回的页面地址无效，请从就近办网页重新进入。"
OAUTH_NONCE_INVALID: Final = "登录请求无效，请重新进入就近办网页后再登录。"
OAUTH_STATE_INVALID: Final = "登录链接已失效，请重新进入就近办网页后再登录。"
OAUTH_CODE_INVALID: Final = "微信授权已失效或已用过，请重新进入就近办网页后再登录。"
MOBILE_INVALID: Final = "请填写正确的 11 位中国大陆手机号码。"
SMS_CODE_TEXT: Final = "【就近办】您的验证码是 {code}，5 分钟内有效。请勿告诉他人。"
JOIN_CODE_TEXT: Final = (
    "【就近办】有人正在把一个新的微信账号（网页版）并入您的就近办账号，验证码 {code}，"
    "5 分钟内有效。如非本人操作，请勿把验证码告诉任何人。"
)
JOIN_CODE_SENT: Final = (
    "该身份已由另一个微信账号登记。验证码已发送至其登记的手机 {phone}，"
    "填写验证码后即可把本账号并入。"
)
JOIN_NO_PHONE: Final = (
    "该身份已由另一个微信账号登记。请用当初登记时的微信账号登录，"
    "或携带身份证到就近的便民服务中心办理。"
)
SMS_CODE_WRONG: Final = "验证码不正确，请核对后重新输入。"
SMS_CODE_EXPIRED: Final = "验证码已失效，请重新获取。"
SMS_TOO_SOON: Final = "验证码发送过于频繁，请 {seconds} 秒后再试。"
SMS_DAILY_LIMIT: Final = "今天获取验证码的次数已达上限，请明天再试。"
SMS_UNAVAILABLE: Final = "短信服务暂时不可用，请稍后再试。"
