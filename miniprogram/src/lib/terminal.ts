// The self-service terminal's own identity (docs/terminals.md): the device credential an
// administrator issued (terminal id + secret) is entered once on the device and kept in Taro
// storage — it belongs to the machine, not to a person. Logging in with it gives the terminal
// token, kept in memory only and renewed by logging in again when it has expired. The terminal
// token may do one thing: open a citizen's session from an ID-card read.
import Taro from '@tarojs/taro'
import { ApiError, NETWORK_TEXT, url } from '../api/client'
import type { KioskSessionAnswer, KioskSessionRequest, TerminalLoginAnswer } from '../api/types'

const CREDENTIAL_KEY = 'jjb.terminal'
const RENEW_BEFORE_S = 60

export interface Credential {
  terminalId: string
  secret: string
}

export type TerminalInfo = TerminalLoginAnswer['terminal']

interface Held {
  token: string
  expiresAt: number
  info: TerminalInfo
}

let held: Held | null = null

function now(): number {
  return Math.floor(Date.now() / 1000)
}

/** One POST without a citizen's session: the problem's detail becomes the ApiError's message. */
async function post<T extends object>(path: string, body: unknown, token?: string): Promise<T> {
  const header: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' }
  if (token) header.Authorization = `Bearer ${token}`
  let answer: Taro.request.SuccessCallbackResult<T>
  try {
    answer = await Taro.request<T>({
      url: url(path),
      method: 'POST',
      header,
      data: body as Record<string, unknown>,
      dataType: 'json',
      timeout: 15000,
    })
  } catch {
    throw new ApiError(0, { detail: NETWORK_TEXT, code: 'network' })
  }
  if (answer.statusCode >= 200 && answer.statusCode < 300) return answer.data
  const data = answer.data as { detail?: string; code?: string } | undefined
  const problem = data && typeof data === 'object' && data.detail ? data : { detail: `请求没有成功（${answer.statusCode}）。` }
  throw new ApiError(answer.statusCode, problem)
}

export const terminal = {
  /** The credential stored on this device, or null when the administrator has not set it up. */
  credential(): Credential | null {
    try {
      const raw = Taro.getStorageSync(CREDENTIAL_KEY) as Partial<Credential> | ''
      if (raw && typeof raw === 'object' && raw.terminalId && raw.secret) {
        return { terminalId: raw.terminalId, secret: raw.secret }
      }
    } catch {
      return null
    }
    return null
  },

  /** Logs in with ``credential`` (default: the stored one); throws ApiError with the server's detail. */
  async login(credential: Credential | null = terminal.credential()): Promise<TerminalInfo> {
    if (!credential) throw new ApiError(401, { code: 'terminal_not_set_up', detail: '本机还没有设置终端凭证，请联系管理员。' })
    held = null
    const answer = await post<TerminalLoginAnswer>('/api/v1/auth/terminal/login', {
      terminal_id: credential.terminalId,
      secret: credential.secret,
    })
    held = { token: answer.access_token, expiresAt: now() + answer.expires_in, info: answer.terminal }
    return answer.terminal
  },

  /** Checks ``credential`` by logging in with it, and keeps it on the device when it works. */
  async setUp(credential: Credential): Promise<TerminalInfo> {
    const info = await terminal.login(credential)
    Taro.setStorageSync(CREDENTIAL_KEY, credential)
    return info
  },

  /** The terminal this device is, once logged in. */
  info(): TerminalInfo | null {
    return held ? held.info : null
  },

  /** A live terminal token, logging in again when there is none or it is about to expire. */
  async token(): Promise<string> {
    if (held && held.expiresAt - RENEW_BEFORE_S > now()) return held.token
    await terminal.login()
    return held!.token
  },

  /** Ends a citizen's session at the server (``token`` is that session's token); one try. */
  async endSession(token: string): Promise<void> {
    await post<object>('/api/v1/terminal/sessions/end', undefined, token)
  },

  /** Opens the session of the person whose card was read; one new login when the token was refused. */
  async openSession(body: KioskSessionRequest): Promise<KioskSessionAnswer> {
    try {
      return await post<KioskSessionAnswer>('/api/v1/terminal/sessions', body, await terminal.token())
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e
      held = null
      return post<KioskSessionAnswer>('/api/v1/terminal/sessions', body, await terminal.token())
    }
  },
}
