// Plain words for a case's state. The server names each status itself (`status_label`) and says
// each step of the timeline in words (`note`); these are the words for what it leaves as codes:
// a timeline step's status and who did it, the working days left, and what the citizen must do.
import type { CaseStatus, TimelineEntry } from '../api/types'

/** The statuses of API.md in Chinese (the server's own `status_label` wins where it is given). */
export const STATUS_WORDS: Record<CaseStatus, string> = {
  submitted: '已提交',
  queued: '等待窗口受理',
  awaiting_supplement: '待补正材料',
  accepted: '已受理',
  in_review: '审批中',
  approved: '审批通过',
  denied: '审批未通过',
  rejected: '不予受理',
  result_ready: '已出件',
  delivered: '已送达',
  withdrawn: '已撤回',
}

export const ACTOR_WORDS: Record<TimelineEntry['actor_role'], string> = {
  citizen: '您本人',
  agent: '代办员',
  window: '窗口工作人员',
  approver: '审批部门',
  supervisor: '督查人员',
  admin: '管理员',
  system: '系统',
  platform: '一窗受理平台',
}

export const DELIVERY_WORDS: Record<'window' | 'mail' | 'agent', string> = {
  window: '到窗口领取',
  mail: '邮寄到家',
  agent: '由代办员送到',
}

/** Before acceptance nothing can be withdrawn any more once a window has accepted it. */
export const WITHDRAWABLE: CaseStatus[] = ['submitted', 'queued', 'awaiting_supplement']

const CLOSED: CaseStatus[] = ['denied', 'rejected', 'delivered', 'withdrawn']

/** The tag's look: open, closed, or needs the citizen (words always go with it). */
export function tone(status: CaseStatus): 'open' | 'closed' | 'warn' {
  if (status === 'awaiting_supplement' || status === 'result_ready') return 'warn'
  return CLOSED.includes(status) ? 'closed' : 'open'
}

/** 「还剩 N 个工作日」, the last day, or how far it is overdue — in words. */
export function daysLeftText(left: number | null | undefined, status: CaseStatus): string | null {
  if (CLOSED.includes(status) || status === 'result_ready') return null
  if (left === null || left === undefined) return '受理后开始计算办理时限'
  if (status === 'awaiting_supplement') return `补正期间时限暂停，还剩 ${left} 个工作日`
  if (left > 0) return `还剩 ${left} 个工作日`
  if (left === 0) return '今天是办结期限的最后一天'
  return `已超过办结期限 ${-left} 个工作日`
}

/** `2026-12-28` → 2026年12月28日 */
export function dateText(date: string | null | undefined): string {
  if (!date) return ''
  const [y, m, d] = date.slice(0, 10).split('-').map(Number)
  return `${y}年${m}月${d}日`
}

/** An ISO time (already in Beijing time) → 12月7日 09:30 */
export function timeText(at: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(at)
  if (!m) return at
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日 ${m[4]}:${m[5]}`
}

/** What the citizen has to do now, or null when it is the office's turn. */
export function todo(status: CaseStatus, rated = false): string | null {
  switch (status) {
    case 'awaiting_supplement':
      return '需要您补正材料'
    case 'result_ready':
      return '已出件，请按约定方式领取'
    case 'delivered':
    case 'denied':
    case 'rejected':
      return rated ? null : '已办结，请您评价'
    default:
      return null
  }
}

/** Five plain choices for the rating (好差评), best first. */
export const SCORES: { score: number; words: string }[] = [
  { score: 5, words: '非常满意' },
  { score: 4, words: '满意' },
  { score: 3, words: '基本满意' },
  { score: 2, words: '不满意' },
  { score: 1, words: '非常不满意' },
]
