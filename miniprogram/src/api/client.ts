// The one way the client talks to the API: bearer token, an Idempotency-Key on every POST (the
// same key for every retry of one action), problem documents turned into ApiError with their
// Chinese `detail`, network failures retried with back-off, and the session renewed once when
// the server says it has expired.
import Taro from '@tarojs/taro'
import type { Problem } from './types'
import { session } from '../lib/session'

export type Query = Record<string, string | number | boolean | undefined | null>

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly problem: Partial<Problem>

  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail || NETWORK_TEXT)
    this.status = status
    this.code = problem.code || (status === 0 ? 'network' : 'unknown')
    this.problem = problem
  }
}

export const NETWORK_TEXT = '网络不太稳定，没有连上服务器。请检查网络后再试一次。'
const SERVER_TEXT = '服务器暂时忙不过来，请稍后再试。'
const RETRY_DELAYS_MS = [400, 1200, 3000]

/**
 * Whether a failed action may have been done all the same, so that trying again must reuse its
 * key: nothing came back, the server was away (5xx, e.g. 503 while its database restarts), or
 * the first request with this key is still running. Any other answer is final.
 */
export function mayBeDone(failure: ApiError): boolean {
  return failure.status === 0 || failure.status >= 500 || failure.code === 'request_in_progress'
}

/** A fresh key for one action (one tap of 提交): keep it until the action succeeds. */
export function newActionKey(): string {
  const bytes = new Uint8Array(16)
  const c = (globalThis as { crypto?: Crypto }).crypto
  if (c && c.getRandomValues) c.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function url(path: string, query?: Query): string {
  const parts: string[] = []
  for (const [k, v] of Object.entries(query || {})) {
    if (v === undefined || v === null || v === '') continue
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
  }
  return `${API_BASE}${path}${parts.length ? `?${parts.join('&')}` : ''}`
}

interface Options {
  query?: Query
  body?: unknown
  /** Idempotency-Key of this action; a POST without one gets a key for this call's retries. */
  key?: string
  /** Public routes need no session. */
  anonymous?: boolean
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

function asProblem(data: unknown): Partial<Problem> {
  if (data && typeof data === 'object' && 'detail' in (data as object)) return data as Problem
  return {}
}

async function once<T extends object>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: Options, key?: string) {
  const header: Record<string, string> = { Accept: 'application/json' }
  if (opts.body !== undefined) header['Content-Type'] = 'application/json'
  if (key) header['Idempotency-Key'] = key
  if (!opts.anonymous) {
    const token = await session.token()
    if (token) header.Authorization = `Bearer ${token}`
  }
  const answer = await Taro.request<T>({
    url: url(path, opts.query),
    method,
    header,
    data: opts.body as Record<string, unknown> | undefined,
    dataType: 'json',
    timeout: 15000,
  })
  return answer
}

export async function request<T extends object>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  opts: Options = {},
): Promise<T> {
  const key = method === 'POST' ? opts.key || newActionKey() : undefined
  let renewed = false
  for (let attempt = 0; ; attempt++) {
    let answer: Taro.request.SuccessCallbackResult<T>
    try {
      answer = await once<T>(method, path, opts, key)
    } catch {
      // Nothing came back: the same request (same key) is safe to send again.
      if (attempt < RETRY_DELAYS_MS.length) {
        await sleep(RETRY_DELAYS_MS[attempt])
        continue
      }
      throw new ApiError(0, { detail: NETWORK_TEXT, code: 'network' })
    }
    const status = answer.statusCode
    if (status >= 200 && status < 300) return answer.data
    const problem = asProblem(answer.data)
    if (status === 401 && !opts.anonymous && !renewed) {
      renewed = true
      if (await session.renew()) continue
    }
    if ((status === 502 || status === 503 || status === 504) && attempt < RETRY_DELAYS_MS.length) {
      const after = Number((answer.header || {})['Retry-After'] || (answer.header || {})['retry-after'])
      await sleep(Number.isFinite(after) && after > 0 ? Math.min(after, 10) * 1000 : RETRY_DELAYS_MS[attempt])
      continue
    }
    if (!problem.detail) problem.detail = status >= 500 ? SERVER_TEXT : `请求没有成功（${status}）。`
    throw new ApiError(status, problem)
  }
}

export const api = {
  get: <T extends object>(path: string, query?: Query, anonymous = false) => request<T>('GET', path, { query, anonymous }),
  post: <T extends object>(path: string, body?: unknown, key?: string) => request<T>('POST', path, { body, key }),
  put: <T extends object>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
}
