// Which client this is: the mini-program, the H5 in a phone browser, or the H5 on a
// self-service terminal (served at /kiosk/). `process.env.TARO_ENV` is replaced by the build,
// so code behind `isH5` is left out of the mini-program (scripts/check_miniprogram.py checks
// that no browser-only API reaches it).
export const isWeapp = process.env.TARO_ENV === 'weapp'
export const isH5 = process.env.TARO_ENV === 'h5'

export function isKiosk(): boolean {
  if (!isH5 || typeof window === 'undefined') return false
  return window.location.pathname.startsWith('/kiosk')
}
