// The checks the server makes on a case form (backend/cases/forms.py `check_form`, `_check`,
// `_rules`, and backend/textrules.py), made here first so the citizen sees the same message
// before sending. The server checks again; its answer wins.
import type { FormField } from '../api/types'

export type FormValue = string
export type FormErrors = Record<string, string>

const MAX_TEXT = 500
const MAX_FIELD_LENGTH = 2000
const PHONE = /^1[3-9]\d{9}$/
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK = '10X98765432'
const FIRST_YEAR = 1900
const LAST_YEAR = 2199

/** Control characters, surrogates, zero-width and text-direction marks (textrules.py). */
function isHiddenChar(ch: string): boolean {
  const c = ch.codePointAt(0) || 0
  return (
    c <= 0x1f ||
    (c >= 0x7f && c <= 0x9f) ||
    (c >= 0xd800 && c <= 0xdfff) ||
    (c >= 0x200b && c <= 0x200f) ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2060 && c <= 0x2064) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x061c ||
    c === 0xfeff
  )
}

export function hasHiddenChars(value: string): boolean {
  for (const ch of value) if (isHiddenChar(ch)) return true
  return false
}

/** Python's len(): characters, not UTF-16 units. */
function length(text: string): number {
  return Array.from(text).length
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

/** The calendar date a `YYYY-MM-DD` (or `YYYYMMDD`) text names, or null. */
function parseDate(text: string): { y: number; m: number; d: number } | null {
  const found = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text)
  if (!found || (text.includes('-') && text.length !== 10)) return null
  const [y, m, d] = [Number(found[1]), Number(found[2]), Number(found[3])]
  if (y < 1) return null
  const day = new Date(Date.UTC(2000, m - 1, d))
  day.setUTCFullYear(y)
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null
  return { y, m, d }
}

function todayText(): string {
  const now = new Date()
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/** GB 11643: 18 characters, a real birth date from 1900 to today, and the check digit. */
export function idNumberOk(raw: string): boolean {
  const value = raw.trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(value)) return false
  const born = parseDate(`${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`)
  if (!born || born.y < 1900) return false
  if (`${born.y}-${pad(born.m)}-${pad(born.d)}` > todayText()) return false
  let total = 0
  for (let i = 0; i < 17; i++) total += Number(value[i]) * ID_WEIGHTS[i]
  return ID_CHECK[total % 11] === value[17]
}

/** Python `float(str)`: digits with an optional sign, point, exponent and underscores. */
function isPythonNumber(text: string): boolean {
  const t = text.trim().toLowerCase()
  if (/^[+-]?(inf|infinity|nan)$/.test(t)) return true
  return /^[+-]?(\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?$/.test(t)
}

// Python's \d and \w match every Unicode digit and letter; JavaScript's only ASCII ones.
const UNICODE_CLASSES: Record<string, [string, string]> = {
  d: ['\\p{Nd}', '\\p{Nd}'],
  D: ['\\P{Nd}', ''],
  w: ['\\p{L}\\p{N}_', '[\\p{L}\\p{N}_]'],
  W: ['', '[^\\p{L}\\p{N}_]'],
}

function toUnicodePattern(pattern: string): string | null {
  let out = ''
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]
      const mapped = UNICODE_CLASSES[next]
      if (mapped) {
        const piece = inClass ? mapped[0] : mapped[1]
        if (!piece) return null
        out += piece
      } else out += ch + next
      i++
      continue
    }
    if (ch === '[' && !inClass) inClass = true
    else if (ch === ']' && inClass) inClass = false
    out += ch
  }
  return out
}

const compiled = new Map<string, RegExp | null>()

/** The field's pattern as a whole-text match, or null when this browser cannot read it (the
 * server still checks it). */
function fullMatch(pattern: string): RegExp | null {
  if (compiled.has(pattern)) return compiled.get(pattern) || null
  let found: RegExp | null = null
  const unicode = toUnicodePattern(pattern)
  for (const [source, flags] of [
    [unicode, 'u'],
    [pattern, ''],
  ] as [string | null, string][]) {
    if (source === null) continue
    try {
      found = new RegExp(`^(?:${source})$`, flags)
      break
    } catch {
      found = null
    }
  }
  compiled.set(pattern, found)
  return found
}

function checkValue(f: FormField, value: string): string | null {
  if (f.datatype === 'number') return isPythonNumber(value) ? null : '应为数字'
  if (hasHiddenChars(value)) return '含有看不见的控制字符或文字方向字符（常见于从别处复制的文字），请删除后重新填写'
  const text = value.trim()
  if (length(text) > MAX_TEXT) return `不能超过 ${MAX_TEXT} 个字`
  if (f.datatype === 'date') {
    const day = parseDate(text)
    if (!day) return '应为日期，例如 2026-01-31'
    if (day.y < FIRST_YEAR || day.y > LAST_YEAR) return `日期应在 ${FIRST_YEAR} 年至 ${LAST_YEAR} 年之间`
  } else if (f.datatype === 'choice' && !f.values.includes(text)) {
    return `应为以下之一：${f.values.join('、')}`
  } else if (f.datatype === 'id_number' && !idNumberOk(text)) {
    return '不是有效的身份证号码'
  } else if (f.datatype === 'phone' && !PHONE.test(text)) {
    return '不是有效的手机号码'
  }
  return null
}

function checkRules(f: FormField, value: string): string | null {
  if (f.max_length === null && !f.pattern) return null
  const text = value.trim()
  const limit = f.max_length || MAX_FIELD_LENGTH
  if (length(text) > limit) return `不能超过 ${limit} 个字`
  const re = f.pattern ? fullMatch(f.pattern) : null
  if (re && !re.test(text)) return `格式不对：${f.pattern_hint || '请按要求填写'}`
  return null
}

/** The message for one field's answer (as the server words it), or null when it is fine. */
export function checkField(f: FormField, value: FormValue | undefined): string | null {
  if (value === undefined || !value.trim()) return f.required ? `请填写“${f.label}”` : null
  const message = checkValue(f, value) || checkRules(f, value)
  return message ? `“${f.label}”${message}` : null
}

/** Every field's problem at once, keyed by field name. */
export function checkForm(fields: FormField[], data: Record<string, FormValue>): FormErrors {
  const errors: FormErrors = {}
  for (const f of fields) {
    const message = checkField(f, data[f.name])
    if (message) errors[f.name] = message
  }
  return errors
}

/** The answers as the server takes them: blank optional answers left out, the rest trimmed. */
export function formBody(fields: FormField[], data: Record<string, FormValue>): Record<string, string> {
  const body: Record<string, string> = {}
  for (const f of fields) {
    const value = data[f.name]
    if (value !== undefined && value.trim()) body[f.name] = f.datatype === 'id_number' ? value.trim().toUpperCase() : value.trim()
  }
  return body
}
