import Taro from '@tarojs/taro'

export type Params = Record<string, string | number | undefined>

/** Opens a page of this client: `go('case', { number })` → /pages/case/index?number=… */
export function go(page: string, params: Params = {}): void {
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  Taro.navigateTo({ url: `/pages/${page}/index${query ? `?${query}` : ''}` })
}

/** The current page's query parameters (decoded). */
export function params(): Record<string, string> {
  const found = Taro.getCurrentInstance().router?.params || {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(found)) if (typeof v === 'string') out[k] = decodeURIComponent(v)
  return out
}
