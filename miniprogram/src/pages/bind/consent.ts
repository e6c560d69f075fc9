// The privacy notice (《个人信息保护告知书》) a citizen agrees to when binding their real name.
// Its version is sent as `consent_version` and kept with the citizen (citizen.consent_version,
// consented_at; docs/personal-data.md). Change the text only together with a new version.
export const CONSENT_VERSION = '2026-01'

export const CONSENT_TITLE = '个人信息保护告知书'

export const CONSENT_PARAGRAPHS: string[] = [
  '为了帮您办理政务服务事项，“就近办”需要收集和使用您的以下个人信息：真实姓名、公民身份号码、所在村（社区）、手机号码和微信账号标识。',
  '用途：核实您的身份（会交由实名核验服务比对姓名和身份证号码）、受理和办理您提交的办件、向您发送办件进度消息；代办员只能在您同意的委托范围和期限内代您办事。',
  '保护：身份证号码和手机号码加密保存，页面上只显示前 3 位和后 4 位；身份证号码中的出生日期不单独保存，只保留出生年份和性别。工作人员每次查看您的完整号码或材料，都会记入不可篡改的审计日志。',
  '保存期限：您提交的办件、材料和审批结果按政务档案规定保存 30 年；查看记录保存 10 年；未用于办件的照片到期自动删除。',
  '您的权利：您可以随时在“我的—个人信息”中查看和保存我们持有的全部个人信息，也可以申请删除；依法必须保存的内容在保存期内只作保存，不再使用。',
  '如不同意本告知书，您仍可查询办事指南，但不能在线提交申请，可到就近的便民服务中心办理。',
]
