// Subscribe-message consent (mini-program only; a no-op on the H5, which has no such messages).
//
// WeChat sends a citizen a subscribe message only after they said yes to its template, and it
// lets a page ask only from a tap (`requestSubscribeMessage` fails outside a tap handler). So:
// a page that may ask calls `prepareSubscriptions()` when it opens (it fetches the template ids
// the server is configured with, GET /api/v1/notifications/subscriptions), then calls
// `askAfterSubmit()` in the tap handler of 提交, or `askForCase(status)` in the tap handler of
// the case page's 「接收进度提醒」. Whatever the citizen answers is reported to
// POST /api/v1/notifications/subscriptions. Consent is optional: nothing here ever throws.
import Taro from '@tarojs/taro'
import { api } from '../api/client'
import type { CaseStatus, Credits, SubscribeEvent } from '../api/types'
import { isWeapp } from './platform'

type Template = Credits['templates'][number]

/** WeChat takes at most three templates in one request. */
const MAX_PER_ASK = 3

/** What a citizen wants to hear about once a case is submitted. */
export const AFTER_SUBMIT: SubscribeEvent[] = ['case.accepted', 'case.supplement', 'case.result_ready']

let loading: Promise<Template[]> | null = null
/** The templates once fetched: asking must not wait for anything, or it leaves the tap. */
let known: Template[] | null = null

/** Fetches the server's template ids once per run (mini-program only). */
export function prepareSubscriptions(): Promise<Template[]> {
  if (!isWeapp) return Promise.resolve([])
  if (!loading) {
    loading = api
      .get<Credits>('/api/v1/notifications/subscriptions')
      .then((answer) => {
        known = answer.templates
        return answer.templates
      })
      .catch(() => {
        loading = null
        return []
      })
  }
  return loading
}

/** The events still to come for a case in ``status``, most useful first. */
export function eventsFor(status: CaseStatus): SubscribeEvent[] {
  switch (status) {
    case 'submitted':
    case 'queued':
      return ['case.accepted', 'case.supplement', 'case.rejected']
    case 'awaiting_supplement':
    case 'accepted':
    case 'in_review':
    case 'approved':
      return ['case.supplement', 'case.result_ready', 'case.rejected']
    case 'result_ready':
      return ['case.delivered']
    default:
      return []
  }
}

/** Asks the citizen about the templates of ``events`` and reports the answer; true when asked. */
export async function askFor(events: SubscribeEvent[]): Promise<boolean> {
  if (!isWeapp || events.length === 0) return false
  // WeChat accepts the request only in the tap's own turn: no await may come before it, so the
  // templates must already be known (prepareSubscriptions() when the page opened).
  const templates = known
  if (!templates) {
    prepareSubscriptions()
    return false
  }
  const wanted = events
    .map((e) => templates.find((t) => t.event === e))
    .filter((t): t is Template => !!t && t.status !== 'ban')
  if (wanted.length === 0) return false
  // One-time and long-term templates may not be asked for together: the first one's kind wins.
  const kind = wanted[0].kind
  const ids = wanted.filter((t) => t.kind === kind).map((t) => t.template_id).slice(0, MAX_PER_ASK)
  try {
    const results = await Taro.requestSubscribeMessage({ tmplIds: ids } as Taro.requestSubscribeMessage.Option)
    const answer = await api.post<Credits>('/api/v1/notifications/subscriptions', { results })
    known = answer.templates
    loading = Promise.resolve(answer.templates)
    return true
  } catch {
    return false
  }
}

/** For the apply page: call in the tap handler of 提交 (after `prepareSubscriptions()` on load). */
export function askAfterSubmit(): Promise<boolean> {
  return askFor(AFTER_SUBMIT)
}

/** For the case page: the updates still to come for a case in ``status``. */
export function askForCase(status: CaseStatus): Promise<boolean> {
  return askFor(eventsFor(status))
}
