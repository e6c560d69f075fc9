// One case of mine: its state in words, the deadline and working days left, the timeline
// (newest first), a bundle's children and the items to do elsewhere, the supplement request with
// its answer, withdrawal before acceptance, the rating once closed, its formal notices (PDF) and
// how the result reaches me.
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useCallback, useEffect, useRef, useState } from 'react'
import Page from '../../components/Page'
import { ApiError, api } from '../../api/client'
import type { AreaPage, CaseForCitizen, NoticeForCitizen } from '../../api/types'
import { useElder } from '../../lib/elder'
import { go, params } from '../../lib/nav'
import { isKiosk, isWeapp } from '../../lib/platform'
import {
  ACTOR_WORDS,
  DELIVERY_WORDS,
  SCORES,
  STATUS_WORDS,
  WITHDRAWABLE,
  dateText,
  daysLeftText,
  timeText,
  todo,
  tone,
} from '../../lib/status'
import { askForCase, prepareSubscriptions } from '../../lib/subscribe'
import Notices from './Notices'
import Rating from './Rating'
import Supplement from './Supplement'
import Withdraw from './Withdraw'
import './index.css'

const ELDER_STEPS = 3

function filedByText(found: CaseForCitizen): string {
  const who = found.filed_by.name || ''
  switch (found.filed_by.kind) {
    case 'agent':
      return `代办员 ${who} 代办`
    case 'window':
      return `窗口工作人员 ${who} 收件`.replace('  ', ' ')
    case 'bank':
      return `银行网点 ${who} 代办`.replace('  ', ' ')
    default:
      return '本人提交'
  }
}

function resultText(found: CaseForCitizen): string | null {
  if (!found.result) return null
  const how = DELIVERY_WORDS[found.result.delivery_method]
  if (found.result.status === 'delivered') return `结果已送达（${how}）。`
  switch (found.result.delivery_method) {
    case 'window':
      return '结果已出件：请带上身份证到镇街便民服务中心窗口领取。'
    case 'mail':
      return '结果已出件，正在邮寄到您填写的地址，请留意快递电话。'
    default:
      return '结果已出件，代办员会送到您手中。'
  }
}

export default function CasePage() {
  const elder = useElder()
  const number = params().number || ''
  const [found, setFound] = useState<CaseForCitizen | null>(null)
  const [notices, setNotices] = useState<NoticeForCitizen[]>([])
  const [township, setTownship] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [allSteps, setAllSteps] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [reminded, setReminded] = useState(false)
  const busy = useRef(false)

  const load = useCallback(async () => {
    if (busy.current) return
    if (!number) {
      setError('没有指定办件编号，请从「我的办件」进入。')
      setLoading(false)
      return
    }
    busy.current = true
    setLoading(true)
    try {
      const [detail, papers] = await Promise.all([
        api.get<CaseForCitizen>(`/api/v1/cases/${number}`),
        api.get<NoticeForCitizen[]>(`/api/v1/cases/${number}/notices`),
      ])
      setFound(detail)
      setNotices(papers)
      setError(null)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      busy.current = false
      setLoading(false)
      Taro.stopPullDownRefresh()
    }
  }, [number])

  useDidShow(() => {
    void load()
  })
  usePullDownRefresh(() => {
    void load()
  })
  useEffect(() => {
    void prepareSubscriptions()
  }, [])

  const code = found?.township_code
  useEffect(() => {
    if (!code) return
    api
      .get<AreaPage>('/api/v1/areas', { level: 'township', page_size: 100 }, true)
      .then((areas) => setTownship(areas.items.find((a) => a.code === code)?.name || null))
      .catch(() => setTownship(null))
  }, [code])

  function changed(message: string) {
    return (next: CaseForCitizen) => {
      setFound(next)
      setDone(message)
      void load()
    }
  }

  if (!found) {
    return (
      <Page error={error}>
        <View className='title' role='heading' aria-level={1}>办件详情</View>
        {loading ? <View className='notice'>正在读取办件…</View> : null}
        {!loading ? (
          <Action className='btn secondary block' onClick={() => go('cases')}>
            回到我的办件
          </Action>
        ) : null}
      </Page>
    )
  }

  const left = daysLeftText(found.working_days_left, found.status)
  const rated = found.evaluations.length > 0
  const next = todo(found.status, rated)
  const steps = [...found.timeline].reverse()
  const shown = elder.on && !allSteps ? steps.slice(0, ELDER_STEPS) : steps
  const closed = found.public_status === 'closed'
  const canRate = closed && found.status !== 'withdrawn' && !rated
  const result = resultText(found)
  const late = found.working_days_left !== null && found.working_days_left < 0

  return (
    <Page error={error}>
      <View className='row case-head'>
        <View className='title case-title' role='heading' aria-level={1}>{found.name}</View>
        <Action className='btn secondary case-refresh' disabled={(loading) || undefined} onClick={() => load()}>
          刷新
        </Action>
      </View>
      {done ? <View className='ok' role='status'>{done}</View> : null}

      <View className='card'>
        <View className='row'>
          <Text>办理状态</Text>
          <Text className={`tag ${tone(found.status)}`}>{found.status_label}</Text>
        </View>
        {next ? <Text className='case-todo'>▶ {next}</Text> : null}
        {found.deadline ? <Text className='case-line'>办结期限：{dateText(found.deadline)}</Text> : null}
        {left ? <Text className={`case-line case-left ${late ? 'case-late' : ''}`}>{left}</Text> : null}
        {result ? <Text className='case-line'>{result}</Text> : null}
        <Text className='case-line'>{filedByText(found)}</Text>
        {/* The number is what the window or the phone line asks for: shown in 长辈模式 too. */}
        <Text className='small muted case-line'>办件编号 {found.number}</Text>
        {!elder.on ? (
          <>
            <Text className='small muted case-line'>
              受理镇街：{found.township_code ? township || found.township_code : closed ? '未转到镇街' : '正在转入镇街受理队列'}
            </Text>
            <Text className='small muted case-line'>
              提交时间 {timeText(found.submitted_at)} · 取件方式 {DELIVERY_WORDS[found.delivery_method]}
            </Text>
          </>
        ) : null}
      </View>

      {found.supplement ? (
        <Supplement
          number={found.number}
          missing={found.supplement.missing}
          note={found.supplement.note}
          requestedAt={found.supplement.requested_at}
          onDone={changed('补正材料已提交，窗口会继续办理。')}
        />
      ) : null}

      {canRate ? <Rating number={found.number} onDone={changed('谢谢您的评价！')} /> : null}
      {rated ? (
        <View className='card'>
          <Text>
            您的评价：{found.evaluations.map((s) => SCORES.find((x) => x.score === s)?.words || `${s} 分`).join('，')}
          </Text>
        </View>
      ) : null}

      {!isWeapp && !isKiosk() && !closed ? (
        <View className='card'>
          {/* The H5 cannot ask for WeChat's subscribe messages (only the mini-program can). */}
          <Text className='case-line'>办理进度会发到「我的消息」，请常回来看看。</Text>
          <Action className='btn secondary block' onClick={() => go('messages')}>
            看我的消息
          </Action>
        </View>
      ) : null}

      {isWeapp && !closed && !reminded ? (
        <View className='card'>
          <Text className='case-line'>想在微信里收到这件事的办理进度吗？</Text>
          <Action className='btn secondary block' onClick={() => askForCase(found.status).then(setReminded)}>
            接收办理进度提醒
          </Action>
        </View>
      ) : null}

      <View className='card'>
        <Text className='subtitle'>办理进度</Text>
        <View className='case-timeline'>
          {shown.map((step, i) => (
            <View key={`${step.at}-${i}`} className={`case-step ${i === 0 ? 'latest' : ''}`}>
              <Text className='case-step-what'>
                {i === 0 ? '最新：' : ''}
                {step.note || STATUS_WORDS[step.status]}
              </Text>
              <Text className='small muted case-line'>
                {timeText(step.at)} · {ACTOR_WORDS[step.actor_role]} · 此后状态：{STATUS_WORDS[step.status]}
              </Text>
            </View>
          ))}
        </View>
        {elder.on && steps.length > ELDER_STEPS ? (
          <Action className='btn secondary block' onClick={() => setAllSteps(!allSteps)}>
            {allSteps ? '收起' : `更多：查看全部 ${steps.length} 步`}
          </Action>
        ) : null}
      </View>

      {found.children && found.children.length > 0 ? (
        <View className='card'>
          <Text className='subtitle'>这件事包含的事项</Text>
          {found.children.map((c) => (
            <View key={c.number} className='case-child' role='link' onClick={() => go('case', { number: c.number })}>
              <View className='row'>
                <Text>{c.item_name || c.item_code}</Text>
                <Text className={`tag ${tone(c.status)}`}>{c.status_label}</Text>
              </View>
              {daysLeftText(c.working_days_left, c.status) ? (
                <Text className='small muted case-line'>{daysLeftText(c.working_days_left, c.status)}</Text>
              ) : null}
              <Text className='link case-child-open'>查看这一项 ›</Text>
            </View>
          ))}
        </View>
      ) : null}

      {found.later.length > 0 ? (
        <View className='card'>
          <Text className='subtitle'>还要另外去办的事项</Text>
          {found.later.map((l) => (
            <View key={l.item_code} className='case-later'>
              <Text className='case-notice-title'>{l.item_name}</Text>
              <Text className='case-line'>{l.advice}</Text>
              {l.materials.length ? <Text className='small muted case-line'>要带：{l.materials.join('、')}</Text> : null}
            </View>
          ))}
        </View>
      ) : null}

      <Notices notices={notices} />

      {WITHDRAWABLE.includes(found.status) && !found.timeline.some((s) => s.action === 'accept') ? (
        <View className='card'>
          <Text className='case-line muted'>窗口受理以前，您可以撤回这件申请。</Text>
          <Withdraw number={found.number} onDone={changed('申请已撤回。')} />
        </View>
      ) : null}
    </Page>
  )
}
