import { Button, Input, Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import Taro, { useDidShow, useUnload } from '@tarojs/taro'
import { useRef, useState } from 'react'
import { api, ApiError, newActionKey } from '../../api/client'
import type { Me, SmsCodeSent } from '../../api/types'
import Page from '../../components/Page'
import { isWeapp } from '../../lib/platform'
import './index.css'

const WAIT_S = 60
const PHONE = /^1\d{10}$/

function back(): void {
  if (Taro.getCurrentPages().length > 1) Taro.navigateBack()
  else Taro.redirectTo({ url: '/pages/me/index' })
}

export default function Phone() {
  const [me, setMe] = useState<Me | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<Me | null>(null)
  const [busy, setBusy] = useState(false)
  const [phone, setPhone] = useState('')
  const [phoneProblem, setPhoneProblem] = useState<string | null>(null)
  const [sent, setSent] = useState<SmsCodeSent | null>(null)
  const [code, setCode] = useState('')
  const [left, setLeft] = useState(0)
  const timer = useRef<ReturnType<typeof setInterval> | null>(null)
  const sendKey = useRef<string | null>(null)
  const verifyKey = useRef<string | null>(null)

  useDidShow(() => {
    api
      .get<Me>('/api/v1/me')
      .then(setMe)
      .catch((e: ApiError) => setError(e.message))
  })
  useUnload(() => {
    if (timer.current) clearInterval(timer.current)
  })

  function countdown(seconds: number) {
    if (timer.current) clearInterval(timer.current)
    setLeft(seconds)
    timer.current = setInterval(() => {
      setLeft((s) => {
        if (s <= 1 && timer.current) {
          clearInterval(timer.current)
          timer.current = null
        }
        return Math.max(s - 1, 0)
      })
    }, 1000)
  }

  async function onWeappPhone(e: { detail: { code?: string; errMsg?: string } }) {
    if (!e.detail.code) {
      setError('没有取得手机号。如需绑定，请再点一次并选择“允许”。')
      return
    }
    setBusy(true)
    setError(null)
    try {
      setDone(await api.post<Me>('/api/v1/me/phone', { code: e.detail.code }))
    } catch (err) {
      setError((err as ApiError).message)
    } finally {
      setBusy(false)
    }
  }

  async function sendCode() {
    const number = phone.trim()
    if (!PHONE.test(number)) {
      setPhoneProblem('请填写 11 位手机号码。')
      return
    }
    setPhoneProblem(null)
    setBusy(true)
    setError(null)
    if (!sendKey.current) sendKey.current = newActionKey()
    try {
      const answer = await api.post<SmsCodeSent>('/api/v1/me/phone/sms-code', { phone: number }, sendKey.current)
      sendKey.current = null
      setSent(answer)
      countdown(WAIT_S)
    } catch (err) {
      const e = err as ApiError
      if (e.status > 0) sendKey.current = null
      setError(e.message)
      // Too soon after a code was sent (perhaps before this page was reloaded, or while the
      // citizen read the SMS elsewhere): that code is still good, so let them type it.
      if (e.code === 'sms_rate_limited' && !sent) {
        setSent({ phone_masked: `${number.slice(0, 3)}****${number.slice(7)}`, expires_in: 300 })
      }
    } finally {
      setBusy(false)
    }
  }

  async function verify() {
    if (!/^\d{4,8}$/.test(code.trim())) {
      setError('请填写短信里的数字验证码。')
      return
    }
    setBusy(true)
    setError(null)
    if (!verifyKey.current) verifyKey.current = newActionKey()
    try {
      const answer = await api.post<Me>(
        '/api/v1/me/phone/sms-verify',
        { phone: phone.trim(), code: code.trim() },
        verifyKey.current,
      )
      verifyKey.current = null
      setDone(answer)
    } catch (err) {
      const e = err as ApiError
      if (e.status > 0) verifyKey.current = null
      setError(e.message)
    } finally {
      setBusy(false)
    }
  }

  if (done) {
    return (
      <Page>
        <View className='title' role='heading' aria-level={1}>手机号</View>
        <View className='ok' role='status'>
          手机号已绑定：{done.phone_masked}。
        </View>
        <Action className='btn block' onClick={back}>
          返回
        </Action>
      </Page>
    )
  }

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>手机号</View>
      {me === null && !error ? <Text className='muted'>正在读取…</Text> : null}
      {me ? (
        <View className='card'>
          <Text>当前手机号：{me.phone_masked || '未绑定'}</Text>
          <Text className='hint phone-why'>办件有进展时，工作人员可能打电话或发短信联系您。</Text>
        </View>
      ) : null}
      {isWeapp ? (
        <View className='card'>
          <Text className='phone-lead'>使用微信绑定的手机号，点一下即可。</Text>
          <Button
            className='btn block'
            openType='getPhoneNumber'
            disabled={busy}
            onGetPhoneNumber={(e) => onWeappPhone(e as unknown as { detail: { code?: string } })}
          >
            {busy ? '正在绑定…' : '使用微信手机号'}
          </Button>
        </View>
      ) : (
        <View className='card'>
          <View className='field'>
            <Text className='label' id='phone-number-label'>
              手机号码
            </Text>
            <Input
              className='input'
              type='number'
              maxlength={11}
              value={phone}
              aria-labelledby='phone-number-label'
              placeholder='11 位手机号码'
              onInput={(e) => {
                setPhone(e.detail.value)
                setPhoneProblem(null)
              }}
            />
            {phoneProblem ? (
              <Text className='error'>
                {phoneProblem}
              </Text>
            ) : null}
          </View>
          <Action className='btn secondary block' disabled={busy || left > 0} onClick={sendCode}>
            {left > 0 ? `${left} 秒后可重新获取` : sent ? '重新获取验证码' : '获取短信验证码'}
          </Action>
          {sent ? (
            <View className='phone-code'>
              <Text className='notice phone-sent'>
                验证码已发送到 {sent.phone_masked}，{Math.round(sent.expires_in / 60)} 分钟内有效。
              </Text>
              <View className='field'>
                <Text className='label' id='phone-code-label'>
                  短信验证码
                </Text>
                <Input
                  className='input'
                  type='number'
                  maxlength={8}
                  value={code}
                  aria-labelledby='phone-code-label'
                  placeholder='短信里的数字'
                  onInput={(e) => setCode(e.detail.value)}
                />
              </View>
              <Action className='btn block' disabled={busy || !code.trim()} onClick={verify}>
                {busy ? '正在确认…' : '确认绑定'}
              </Action>
            </View>
          ) : null}
        </View>
      )}
    </Page>
  )
}
