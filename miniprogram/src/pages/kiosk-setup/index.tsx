import { Input, Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import Taro from '@tarojs/taro'
import { useState } from 'react'
import { ApiError } from '../../api/client'
import Page from '../../components/Page'
import { terminal, TerminalInfo } from '../../lib/terminal'
import './index.css'

/**
 * The administrator's one-time setup of a terminal: the terminal id and secret issued in the
 * portal (自助终端) or with `jiujinban terminals issue` are checked by logging in and then kept
 * on this device.
 */
export default function KioskSetup() {
  const stored = terminal.credential()
  const [terminalId, setTerminalId] = useState(stored?.terminalId || '')
  const [secret, setSecret] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<TerminalInfo | null>(null)

  async function save() {
    const id = terminalId.trim()
    const key = secret.trim()
    if (!id || !key) {
      setError('请填写终端编号和终端密钥（签发终端时显示的两项）。')
      return
    }
    setBusy(true)
    setError(null)
    try {
      setDone(await terminal.setUp({ terminalId: id, secret: key }))
      setSecret('')
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page className='kiosk-setup'>
      <View className='kiosk-setup-title' role='heading' aria-level={1}>设置自助终端</View>
      <Text className='kiosk-setup-lead'>
        由管理员操作：填写在管理门户「自助终端」页或用 jiujinban terminals issue 签发的终端编号和终端密钥。密钥只保存在本机，用于本机登录。
      </Text>
      {stored && !done ? <View className='notice kiosk-setup-note'>本机已保存过凭证；重新填写会替换它。</View> : null}
      {error ? (
        <View className='alert kiosk-setup-note' role='alert'>
          {error}
        </View>
      ) : null}
      {done ? (
        <View className='kiosk-setup-done'>
          <View className='ok kiosk-setup-note' role='status'>
            设置好了：本机是「{done.name}」（办事点 {done.service_point_id}）。
          </View>
          <Action className='btn block kiosk-setup-btn' onClick={() => Taro.reLaunch({ url: '/pages/kiosk/index' })}>
            进入自助服务
          </Action>
        </View>
      ) : (
        <View className='card kiosk-setup-form'>
          <View className='field'>
            <Text className='label' id='kiosk-setup-id'>
              终端编号
            </Text>
            <Input
              className='input kiosk-setup-input'
              value={terminalId}
              aria-labelledby='kiosk-setup-id'
              placeholder='如 7d1f0b6a-…'
              onInput={(e) => setTerminalId(e.detail.value)}
            />
          </View>
          <View className='field'>
            <Text className='label' id='kiosk-setup-secret'>
              终端密钥
            </Text>
            <Input
              className='input kiosk-setup-input'
              value={secret}
              password
              aria-labelledby='kiosk-setup-secret'
              placeholder='签发时显示一次的密钥'
              onInput={(e) => setSecret(e.detail.value)}
              onConfirm={() => void save()}
            />
          </View>
          <Action className='btn block kiosk-setup-btn' disabled={busy ? true : undefined} onClick={() => void save()}>
            {busy ? '正在登录…' : '保存并登录'}
          </Action>
        </View>
      )}
    </Page>
  )
}
