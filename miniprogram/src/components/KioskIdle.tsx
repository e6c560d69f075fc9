import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import Action from './Action'
import { useEffect, useState } from 'react'
import { KIOSK_HOME, kiosk, Watch } from '../lib/kiosk'
import './KioskIdle.css'


/** A fixed bar on every inner page at a terminal: back, the menu, and leave. */
function KioskBar() {
  const back = Taro.getCurrentPages().length > 1
  return (
    <View className='kiosk-bar' role='navigation' aria-label='自助终端导航'>
      {back ? (
        <Action className='btn secondary kiosk-bar-button' onClick={() => Taro.navigateBack()}>
          返回上一步
        </Action>
      ) : null}
      <Action className='btn secondary kiosk-bar-button' onClick={() => Taro.reLaunch({ url: KIOSK_HOME })}>
        回到菜单
      </Action>
      <Action className='btn danger kiosk-bar-button' onClick={() => void kiosk.end()}>
        退出
      </Action>
    </View>
  )
}

/**
 * The kiosk's idle watch and way back, on every page in kiosk mode (Page.tsx mounts it): after a minute
 * without a touch it covers the screen with a countdown and a big 「继续办理」; at zero the
 * session ends (lib/kiosk.ts).
 */
export default function KioskIdle() {
  const [watch, setWatch] = useState<Watch>(kiosk.watch())
  useEffect(() => kiosk.onWatch(setWatch), [])
  // The kiosk's own pages (its home and setup) need no way back; every other page does, for a
  // terminal has no browser bar. The page this component is on, not the one on show now.
  const path = Taro.useRouter().path || ''
  const bar = !path.startsWith('/pages/kiosk') ? <KioskBar /> : null
  if (!watch.active || watch.secondsLeft === null) return bar
  return (
    <>
    {bar}
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
    </>
  )
}
