import { Text, View } from '@tarojs/components'
import Action from './Action'
import { useEffect, useState } from 'react'
import { kiosk, Watch } from '../lib/kiosk'
import './KioskIdle.css'

/**
 * The kiosk's idle watch, on every page in kiosk mode (Page.tsx mounts it): after a minute
 * without a touch it covers the screen with a countdown and a big 「继续办理」; at zero the
 * session ends (lib/kiosk.ts).
 */
export default function KioskIdle() {
  const [watch, setWatch] = useState<Watch>(kiosk.watch())
  useEffect(() => kiosk.onWatch(setWatch), [])
  if (!watch.active || watch.secondsLeft === null) return null
  return (
    <View className='kiosk-idle' role='alertdialog' aria-labelledby='kiosk-idle-title'>
      <View className='kiosk-idle-box'>
        <Text className='kiosk-idle-title' id='kiosk-idle-title'>
          您还在办理吗？
        </Text>
        <Text className='kiosk-idle-count'>
          <Text className='kiosk-idle-seconds'>{watch.secondsLeft}</Text> 秒后自动退出
        </Text>
        <Text className='kiosk-idle-hint'>为保护您的信息，长时间不操作会自动退出。</Text>
        <Action className='btn kiosk-idle-go' onClick={() => kiosk.stillHere()}>
          继续办理
        </Action>
        <Action className='btn secondary kiosk-idle-quit' onClick={() => void kiosk.end()}>
          退出
        </Action>
      </View>
    </View>
  )
}
