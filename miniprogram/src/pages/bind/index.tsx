import { Input, Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import Taro, { useLoad } from '@tarojs/taro'
import { useRef, useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { Area, AreaPage, IdentityBound } from '../../api/types'
import Page from '../../components/Page'
import Toggle from '../../components/Toggle'
import { idNumberProblem, normaliseIdNumber } from '../../lib/idnumber'
import { params } from '../../lib/nav'
import { CONSENT_PARAGRAPHS, CONSENT_TITLE, CONSENT_VERSION } from './consent'
import './index.css'

async function allAreas(query: Record<string, string>): Promise<Area[]> {
  const out: Area[] = []
  for (let page = 1; ; page++) {
    const answer = await api.get<AreaPage>('/api/v1/areas', { ...query, page, page_size: 100 }, true)
    out.push(...answer.items)
    if (out.length >= answer.total || answer.items.length === 0) return out
  }
}

/** Where to go once bound: the `next` page (with its `item` or `bundle`), else back. */
function leave(): void {
  const { next, item, bundle } = params()
  if (next && /^[a-z-]+$/.test(next)) {
    const what = item ? `?item=${encodeURIComponent(item)}` : bundle ? `?bundle=${encodeURIComponent(bundle)}` : ''
    Taro.redirectTo({ url: `/pages/${next}/index${what}` })
  } else if (Taro.getCurrentPages().length > 1) {
    Taro.navigateBack()
  } else {
    Taro.redirectTo({ url: '/pages/me/index' })
  }
}

export default function Bind() {
  const [name, setName] = useState('')
  const [idNumber, setIdNumber] = useState('')
  const [idProblem, setIdProblem] = useState<string | null>(null)
  const [townships, setTownships] = useState<Area[] | null>(null)
  const [township, setTownship] = useState<Area | null>(null)
  const [villages, setVillages] = useState<Area[] | null>(null)
  const [village, setVillage] = useState<Area | null>(null)
  const [agreed, setAgreed] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<IdentityBound | null>(null)
  /** The holder's masked phone once a join code was sent (409 account_join_code_sent). */
  const [join, setJoin] = useState<{ phone: string; detail: string } | null>(null)
  const [joinCode, setJoinCode] = useState('')
  const sending = useRef(false)

  useLoad(() => {
    allAreas({ level: 'township' })
      .then(setTownships)
      .catch((e: ApiError) => setError(e.message))
  })

  function pickTownship(t: Area) {
    setTownship(t)
    setVillage(null)
    setVillages(null)
    allAreas({ level: 'village', parent: t.code })
      .then(setVillages)
      .catch((e: ApiError) => setError(e.message))
  }

  function checkId(value: string): string | null {
    const problem = value.trim() ? idNumberProblem(value) : '请填写身份证号码。'
    setIdProblem(problem)
    return problem
  }

  const nameOk = name.trim().length > 0
  const ready = nameOk && idNumber.trim().length > 0 && village !== null && agreed && !busy

  const codeOk = /^\d{6}$/.test(joinCode)

  /** Submit the identity; with `code`, the holder's join code (the same PUT again). */
  async function submit(code?: string) {
    if (sending.current) return
    if (checkId(idNumber)) return
    if (!village) return
    sending.current = true
    setBusy(true)
    setError(null)
    try {
      const bound = await api.put<IdentityBound>('/api/v1/me/identity', {
        name: name.trim(),
        id_number: normaliseIdNumber(idNumber),
        village_code: village.code,
        consent_version: CONSENT_VERSION,
        ...(code ? { join_code: code } : {}),
      })
      setDone(bound)
      setTimeout(leave, 1500)
    } catch (e) {
      const err = e as ApiError
      if (err.code === 'account_join_code_sent') {
        setJoin({ phone: err.problem.phone_masked ?? '', detail: err.message })
        setJoinCode('')
      } else {
        if (err.code === 'id_number_invalid') setIdProblem(err.message)
        if (err.code === 'id_number_taken') setJoin(null)
        setError(err.message)
      }
    } finally {
      sending.current = false
      setBusy(false)
    }
  }

  if (done) {
    return (
      <Page>
        <View className='title' role='heading' aria-level={1}>实名认证</View>
        <View className='ok' role='status'>
          已完成实名登记：{done.name}（{done.id_number_masked}）。
          {done.identity_verified ? '身份已核验。' : '身份核验稍后完成。'}
        </View>
        <Action className='btn block' onClick={leave}>
          继续
        </Action>
      </Page>
    )
  }

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>实名认证</View>
      <Text className='muted bind-intro'>办事需要先登记您的真实姓名和身份证号码，只需一次。</Text>

      <View className='card'>
        <View className='field'>
          <Text className='label' id='bind-name-label'>
            姓名
          </Text>
          <Input
            className='input'
            value={name}
            maxlength={32}
            aria-labelledby='bind-name-label'
            placeholder='与身份证上一致'
            onInput={(e) => setName(e.detail.value)}
          />
        </View>
        <View className='field'>
          <Text className='label' id='bind-id-label'>
            身份证号码
          </Text>
          <Input
            className='input'
            type='idcard'
            value={idNumber}
            maxlength={18}
            aria-labelledby='bind-id-label'
            placeholder='18 位，最后一位可能是 X'
            onInput={(e) => {
              setIdNumber(e.detail.value)
              if (idProblem) setIdProblem(null)
            }}
            onBlur={() => idNumber && checkId(idNumber)}
          />
          {idProblem ? (
            <Text className='error'>
              {idProblem}
            </Text>
          ) : (
            <Text className='hint'>号码只加密保存，页面上只显示前 3 位和后 4 位。</Text>
          )}
        </View>
      </View>

      <View className='card'>
        <Text className='bind-area-label'>所在村（社区）</Text>
        {townships === null ? <Text className='muted'>正在读取镇街…</Text> : null}
        {townships && townships.length === 0 ? <Text className='muted'>暂时没有可选的镇街。</Text> : null}
        {townships && !township ? (
          <View className='bind-choices' role='radiogroup' aria-label='选择镇街'>
            <Text className='hint bind-step'>第一步：选择镇街</Text>
            {townships.map((t) => (
              <Action key={t.code} className='btn secondary bind-choice' onClick={() => pickTownship(t)}>
                {t.name}
              </Action>
            ))}
          </View>
        ) : null}
        {township ? (
          <View>
            <View className='row bind-picked'>
              <Text>
                镇街：<Text className='bind-strong'>{township.name}</Text>
              </Text>
              <Action
                className='btn secondary'
                onClick={() => {
                  setTownship(null)
                  setVillage(null)
                }}
              >
                重选镇街
              </Action>
            </View>
            {village ? (
              <View className='row bind-picked'>
                <Text>
                  村（社区）：<Text className='bind-strong'>{village.name}</Text>
                </Text>
                <Action className='btn secondary' onClick={() => setVillage(null)}>
                  重选
                </Action>
              </View>
            ) : villages === null ? (
              <Text className='muted'>正在读取村（社区）…</Text>
            ) : villages.length === 0 ? (
              <Text className='muted'>这个镇街下暂时没有可选的村（社区）。</Text>
            ) : (
              <View className='bind-choices' role='radiogroup' aria-label='选择村（社区）'>
                <Text className='hint bind-step'>第二步：选择村（社区）</Text>
                {villages.map((v) => (
                  <Action key={v.code} className='btn secondary bind-choice' onClick={() => setVillage(v)}>
                    {v.name}
                  </Action>
                ))}
              </View>
            )}
          </View>
        ) : null}
      </View>

      <View className='card'>
        <Text className='subtitle bind-consent-title'>
          {CONSENT_TITLE}（版本 {CONSENT_VERSION}）
        </Text>
        <View className='bind-consent'>
          {CONSENT_PARAGRAPHS.map((p, i) => (
            <Text key={i} className='bind-consent-p'>
              {p}
            </Text>
          ))}
        </View>
        <Toggle label='我已阅读并同意' checked={agreed} onChange={setAgreed} />
      </View>

      {!ready && !busy ? (
        <Text className='hint bind-missing'>
          {!nameOk
            ? '请填写姓名。'
            : !idNumber.trim()
              ? '请填写身份证号码。'
              : !village
                ? '请选择所在村（社区）。'
                : '请先阅读告知书，并打开“我已阅读并同意”。'}
        </Text>
      ) : null}
      {join ? (
        <View className='card bind-join' role='group' aria-label='把本账号并入'>
          <Text className='notice bind-join-detail'>{join.detail}</Text>
          <View className='field'>
            <Text className='label' id='bind-join-label'>
              发往 {join.phone} 的验证码
            </Text>
            <Input
              className='input bind-join-code'
              type='number'
              value={joinCode}
              maxlength={6}
              aria-labelledby='bind-join-label'
              placeholder='6 位数字'
              onInput={(e) => setJoinCode(e.detail.value.replace(/\D/g, '').slice(0, 6))}
            />
            <Text className='hint'>验证码 5 分钟内有效。请向登记该手机的本人索取，不要告诉他人。</Text>
          </View>
          <Action className='btn block' disabled={!codeOk || busy} onClick={() => submit(joinCode)}>
            {busy ? '正在提交…' : '确认并入'}
          </Action>
          <Action className='btn secondary block bind-join-again' disabled={busy} onClick={() => submit()}>
            重新发送验证码
          </Action>
        </View>
      ) : (
        <Action className='btn block' disabled={!ready} onClick={() => submit()}>
          {busy ? '正在提交…' : '提交实名信息'}
        </Action>
      )}
    </Page>
  )
}
