// Which client this is: the mini-program, the H5 in a phone browser, or the H5 on a
// self-service terminal (served at /kiosk/).
export const isWeapp = BUILD_PLATFORM === 'weapp'
export const isH5 = BUILD_PLATFORM === 'h5'

export function isKiosk(): boolean {
  if (!isH5 || typeof window === 'undefined') return false
  return window.location.pathname.startsWith('/kiosk')
}
