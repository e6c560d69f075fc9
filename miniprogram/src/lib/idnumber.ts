// Resident identity card numbers (公民身份号码, GB 11643-1999), checked on the phone with the
// same rules and the same Chinese texts as the server (backend/identity/idnumber.py), so a
// mistyped number is caught before it is sent. The server checks again; it decides.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'
const SHAPE = /^\d{17}[\dX]$/
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
  64, 65, 71, 81, 82, 83,
])

export const ID_TEXTS = {
  shape: '身份证号码应为 18 位：前 17 位为数字，最后一位为数字或字母 X。',
  region: '身份证号码的地区代码不正确，请核对后重新填写。',
  birth: '身份证号码中的出生日期不正确，请核对后重新填写。',
  check: '身份证号码校验位不正确，请核对后重新填写。',
}

/** Upper-case X, no spaces around. */
export function normaliseIdNumber(raw: string): string {
  return raw.trim().toUpperCase()
}

/** The ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

/** Why `raw` is not a valid 18-character number (Chinese, without the number), or null. */
export function idNumberProblem(raw: string, today: Date = new Date()): string | null {
  const value = normaliseIdNumber(raw)
  if (!SHAPE.test(value)) return ID_TEXTS.shape
  if (!PROVINCES.has(Number(value.slice(0, 2)))) return ID_TEXTS.region
  const year = Number(value.slice(6, 10))
  const month = Number(value.slice(10, 12))
  const day = Number(value.slice(12, 14))
  const born = new Date(year, month - 1, day)
  if (born.getFullYear() !== year || born.getMonth() !== month - 1 || born.getDate() !== day) return ID_TEXTS.birth
  const earliest = new Date(1900, 0, 1)
  const end = new Date(today.getFullYear(), today.getMonth(), today.getDate())
  if (born > end || born < earliest) return ID_TEXTS.birth
  if (checkCharacter(value.slice(0, 17)) !== value[17]) return ID_TEXTS.check
  return null
}
