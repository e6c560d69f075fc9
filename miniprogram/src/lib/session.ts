// The signed-in citizen's token: how it is obtained on each target and renewed when it expires.
//
// - weapp: Taro.login() gives a code, exchanged at POST /api/v1/auth/wechat/login.
// - H5 in WeChat: the Official Account OAuth redirect. The browser goes to the authorize URL the
//   server builds; WeChat sends it back to /m/?code=…&state=…, and the code is exchanged at
//   POST /api/v1/auth/wechat/oauth. The page to return to is kept in sessionStorage meanwhile,
//   with a random nonce the server binds the state to: the code is posted only by the page that
//   started this sign-in (a link with someone else's code and state signs nobody in: login CSRF).
// - kiosk: a short session for the person whose ID card is on the reader, kept in memory only
//   (nothing personal stays in storage on a shared screen).
import Taro from '@tarojs/taro'
import type { LoginAnswer } from '../api/types'
import { isKiosk } from './platform'

const TOKEN_KEY = 'jjb.token'
const CITIZEN_KEY = 'jjb.citizen'
const RETURN_KEY = 'jjb.return'
const NONCE_KEY = 'jjb.oauth-nonce'
const RENEW_BEFORE_S = 60

interface Held {
  token: string
  expiresAt: number
  citizenId: string
}

let memory: Held | null = null
let pending: Promise<boolean> | null = null
const listeners = new Set<() => void>()

function now(): number {
  return Math.floor(Date.now() / 1000)
}

function load(): Held | null {
  if (memory || isKiosk()) return memory
  try {
    const raw = Taro.getStorageSync(TOKEN_KEY)
    if (raw && typeof raw === 'object' && raw.token) memory = raw as Held
  } catch {
    memory = null
  }
  return memory
}

function keep(answer: LoginAnswer): void {
  memory = {
    token: answer.access_token,
    expiresAt: now() + answer.expires_in,
    citizenId: answer.citizen.id,
  }
  if (!isKiosk()) {
    Taro.setStorageSync(TOKEN_KEY, memory)
    Taro.setStorageSync(CITIZEN_KEY, answer.citizen.id)
  }
  listeners.forEach((f) => f())
}

async function post<T>(path: string, body: unknown): Promise<T | null> {
  const answer = await Taro.request<T>({
    url: `${API_BASE}${path}`,
    method: 'POST',
    header: { 'Content-Type': 'application/json', Accept: 'application/json' },
    data: body as Record<string, unknown>,
    timeout: 15000,
  })
  return answer.statusCode >= 200 && answer.statusCode < 300 ? answer.data : null
}

async function weappLogin(): Promise<boolean> {
  const { code } = await Taro.login()
  const answer = await post<LoginAnswer>('/api/v1/auth/wechat/login', { code })
  if (answer) keep(answer)
  return answer !== null
}

interface OAuthReturn {
  code: string
  state: string
  nonce: string
}

/**
 * Read once, when this module loads (before any page can start another sign-in): a code and
 * state in the address are taken only with the nonce this page stored when it left for WeChat.
 * Without one they are not ours to use (someone else's link: login CSRF): they are taken out
 * of the address and nothing else happens; an existing session stays as it is.
 */
function takeOAuthReturnH5(): OAuthReturn | null {
  const params = new URLSearchParams(window.location.search)
  if (!params.has('code') && !params.has('state')) return null
  const code = params.get('code')
  const state = params.get('state')
  const nonce = sessionStorage.getItem(NONCE_KEY)
  sessionStorage.removeItem(NONCE_KEY)
  if (nonce && code && state) return { code, state, nonce }
  params.delete('code')
  params.delete('state')
  const rest = params.toString()
  const { pathname, hash } = window.location
  window.history.replaceState(window.history.state, '', `${pathname}${rest ? `?${rest}` : ''}${hash}`)
  return null
}

const oauthReturn: OAuthReturn | null = process.env.TARO_ENV === 'h5' ? takeOAuthReturnH5() : null

/**
 * Back from WeChat's authorization (/m/?code=…&state=…) of a sign-in this page started: exchange
 * the code, then reload the page the citizen was on without the single-use code in the address.
 * Called once at start-up.
 */
export function finishOAuth(): Promise<void> {
  // A call behind a constant test: the build drops the H5 function from the mini-program.
  return process.env.TARO_ENV === 'h5' ? finishOAuthH5() : Promise.resolve()
}

async function finishOAuthH5(): Promise<void> {
  if (!oauthReturn) return
  const answer = await post<LoginAnswer>('/api/v1/auth/wechat/oauth', oauthReturn)
  if (answer) keep(answer)
  const target = sessionStorage.getItem(RETURN_KEY) || ''
  sessionStorage.removeItem(RETURN_KEY)
  window.location.replace(`${window.location.pathname}${target}`)
}

/** 16 random bytes as URL-safe base64 (22 characters). */
function newNonce(): string {
  const bytes = new Uint8Array(16)
  window.crypto.getRandomValues(bytes)
  return btoa(String.fromCharCode(...Array.from(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

async function h5Login(): Promise<boolean> {
  // A sign-in is being finished (finishOAuth reloads the page): do not start another.
  if (oauthReturn) return new Promise<boolean>(() => undefined)
  const nonce = newNonce()
  sessionStorage.setItem(RETURN_KEY, window.location.hash)
  sessionStorage.setItem(NONCE_KEY, nonce)
  const answer = await Taro.request<{ url: string }>({
    url: `${API_BASE}/api/v1/auth/wechat/oauth-url`,
    data: { redirect: window.location.pathname, nonce },
    header: { Accept: 'application/json' },
  })
  if (answer.statusCode === 200 && answer.data.url) {
    window.location.href = answer.data.url
    // The page is leaving; keep callers waiting rather than showing an error meanwhile.
    await new Promise(() => undefined)
  }
  return false
}

export const session = {
  /** The current token, signing in first when there is none or it is about to expire. */
  async token(): Promise<string | null> {
    const held = load()
    if (held && held.expiresAt - RENEW_BEFORE_S > now()) return held.token
    if (isKiosk()) return held ? held.token : null
    return (await session.renew()) ? memory!.token : null
  },

  /** Signs in again (once at a time, however many requests ask). */
  renew(): Promise<boolean> {
    if (isKiosk()) return Promise.resolve(false)
    if (!pending) {
      memory = null
      pending = (process.env.TARO_ENV === 'weapp' ? weappLogin() : h5Login()).finally(() => {
        pending = null
      })
    }
    return pending
  },

  /** The kiosk's citizen session, from the terminal's ID-card read. */
  adopt(answer: LoginAnswer): void {
    keep(answer)
  },

  citizenId(): string | null {
    return load()?.citizenId || (isKiosk() ? null : (Taro.getStorageSync(CITIZEN_KEY) as string) || null)
  },

  forget(): void {
    memory = null
    if (!isKiosk()) {
      Taro.removeStorageSync(TOKEN_KEY)
      Taro.removeStorageSync(CITIZEN_KEY)
    }
    listeners.forEach((f) => f())
  },

  onChange(f: () => void): () => void {
    listeners.add(f)
    return () => listeners.delete(f)
  },
}
