// 长辈模式 (elderly mode): larger text, larger touch targets, fewer choices per screen. The
// switch is on the home page and remembered per citizen on this device. On the mini-program the
// text also follows the user's WeChat font setting (getAppBaseInfo().fontSizeScaleFactor).
import Taro from '@tarojs/taro'
import { createContext, PropsWithChildren, useCallback, useContext, useEffect, useState } from 'react'
import { isKiosk, isWeapp } from './platform'
import { session } from './session'

interface Elder {
  on: boolean
  scale: number
  set: (on: boolean) => void
}

const ElderContext = createContext<Elder>({ on: false, scale: 1, set: () => undefined })

function storageKey(): string {
  return `jjb.elder.${session.citizenId() || 'anonymous'}`
}

function remembered(): boolean {
  if (isKiosk()) return false
  try {
    return Taro.getStorageSync(storageKey()) === 'on'
  } catch {
    return false
  }
}

function wechatScale(): number {
  if (!isWeapp) return 1
  try {
    const info = Taro.getAppBaseInfo() as { fontSizeScaleFactor?: number }
    const factor = Number(info.fontSizeScaleFactor)
    return Number.isFinite(factor) && factor > 0 ? Math.min(Math.max(factor, 1), 2) : 1
  } catch {
    return 1
  }
}

export function ElderProvider({ children }: PropsWithChildren) {
  const [on, setOn] = useState(remembered)
  const [scale] = useState(wechatScale)
  useEffect(() => session.onChange(() => setOn(remembered())), [])
  const set = useCallback((value: boolean) => {
    setOn(value)
    if (!isKiosk()) Taro.setStorageSync(storageKey(), value ? 'on' : 'off')
  }, [])
  return <ElderContext.Provider value={{ on, scale, set }}>{children}</ElderContext.Provider>
}

export function useElder(): Elder {
  return useContext(ElderContext)
}
