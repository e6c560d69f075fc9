import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useDidShow } from '@tarojs/taro'
import { useRef, useState } from 'react'
import { api, ApiError, newActionKey } from '../../api/client'
import type { Mandate, MandatePage } from '../../api/types'
import Page from '../../components/Page'
import { InlineConfirm } from '../../lib/confirm'
import './index.css'

const PAGE_SIZE = 20
const STATUS: Record<Mandate['status'], string> = {
  pending: '等您确认',
  active: '已授权',
  refused: '已拒绝',
  revoked: '已撤销',
  expired: '已过期',
}
const DONE: Record<string, string> = {
  confirm: '已同意，代办员可以在授权范围内代您办理。',
  refuse: '已拒绝，代办员不能代您办理。',
  revoke: '已撤销授权，代办员不能再代您办理新的事项。',
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : ''
}

export default function Mandates() {
  const [items, setItems] = useState<Mandate[] | null>(null)
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [asking, setAsking] = useState<string | null>(null)
  const [told, setTold] = useState<string | null>(null)
  const [history, setHistory] = useState(false)
  const keys = useRef<Record<string, string>>({})

  async function load(upTo: number) {
    try {
      let all: Mandate[] = []
      let count = 0
      for (let p = 1; p <= upTo; p++) {
        const answer = await api.get<MandatePage>('/api/v1/mandates', { page: p, page_size: PAGE_SIZE })
        all = all.concat(answer.items)
        count = answer.total
        if (all.length >= count || answer.items.length === 0) break
      }
      setItems(all)
      setTotal(count)
      setPage(upTo)
      setError(null)
    } catch (e) {
      setError((e as ApiError).message)
    }
  }

  useDidShow(() => {
    load(page)
  })

  async function act(m: Mandate, action: 'confirm' | 'refuse' | 'revoke') {
    const id = `${m.id}:${action}`
    if (!keys.current[id]) keys.current[id] = newActionKey()
    setBusy(id)
    setError(null)
    setTold(null)
    try {
      await api.post<Mandate>(`/api/v1/mandates/${m.id}/${action}`, undefined, keys.current[id])
      delete keys.current[id]
      setAsking(null)
      setTold(DONE[action])
      await load(page)
    } catch (e) {
      const err = e as ApiError
      if (err.status > 0) delete keys.current[id]
      setError(err.message)
    } finally {
      setBusy(null)
    }
  }

  const pending = (items || []).filter((m) => m.status === 'pending')
  const active = (items || []).filter((m) => m.status === 'active')
  const past = (items || []).filter((m) => m.status !== 'pending' && m.status !== 'active')

  function facts(m: Mandate) {
    return (
      <View className='mandates-facts'>
        <Text className='mandates-who'>代办员 {m.agent_name}</Text>
        <Text className='mandates-line'>代办事项：{m.scope.join('、')}</Text>
        <Text className='mandates-line'>授权到：{m.expires_on}（含当天）</Text>
        <Text className='small muted mandates-line'>
          {m.consent === 'paper' ? '已签纸质委托书' : m.status === 'pending' ? '需要您在这里确认' : '经小程序确认'} · 申请于 {day(m.created_at)}
        </Text>
      </View>
    )
  }

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>代办授权</View>
      <Text className='muted mandates-intro'>代办员要代您办事，需要您同意。您可以随时撤销。</Text>
      {told ? (
        <View className='ok' role='status'>
          {told}
        </View>
      ) : null}
      {items === null && !error ? <Text className='muted'>正在读取…</Text> : null}
      {items !== null && items.length === 0 ? (
        <View className='card'>
          <Text>目前没有代办员申请代您办事。</Text>
        </View>
      ) : null}

      {pending.length ? <Text className='subtitle'>等您确认（{pending.length}）</Text> : null}
      {pending.map((m) => (
        <View key={m.id} className='card mandates-card' aria-label={`代办员${m.agent_name}的申请`}>
          <Text className='tag warn'>{STATUS[m.status]}</Text>
          {facts(m)}
          {asking === `${m.id}:refuse` ? (
            <InlineConfirm
              question={`拒绝后，${m.agent_name}不能代您办理这些事项。确定拒绝吗？`}
              yes='确定拒绝'
              no='再想想'
              danger
              busy={busy !== null}
              onYes={() => act(m, 'refuse')}
              onNo={() => setAsking(null)}
            />
          ) : (
            <View className='mandates-actions'>
              <Action className='btn' disabled={busy !== null} onClick={() => act(m, 'confirm')}>
                {busy === `${m.id}:confirm` ? '正在提交…' : '同意'}
              </Action>
              <Action className='btn danger' disabled={busy !== null} onClick={() => setAsking(`${m.id}:refuse`)}>
                拒绝
              </Action>
            </View>
          )}
        </View>
      ))}

      {active.length ? <Text className='subtitle'>已授权（{active.length}）</Text> : null}
      {active.map((m) => (
        <View key={m.id} className='card mandates-card' aria-label={`代办员${m.agent_name}的授权`}>
          <Text className='tag open'>{STATUS[m.status]}</Text>
          {facts(m)}
          {asking === `${m.id}:revoke` ? (
            <InlineConfirm
              question={`撤销后，${m.agent_name}不能再代您办理新的事项；已经提交的办件照常办理。确定撤销吗？`}
              yes='确定撤销'
              no='不撤销'
              danger
              busy={busy !== null}
              onYes={() => act(m, 'revoke')}
              onNo={() => setAsking(null)}
            />
          ) : (
            <Action className='btn danger block' disabled={busy !== null} onClick={() => setAsking(`${m.id}:revoke`)}>
              撤销授权
            </Action>
          )}
        </View>
      ))}

      {past.length ? (
        history ? (
          <View>
            <Text className='subtitle'>以往的授权</Text>
            {past.map((m) => (
              <View key={m.id} className='card mandates-card mandates-past'>
                <Text className='tag closed'>{STATUS[m.status]}</Text>
                {facts(m)}
                {m.decided_at || m.revoked_at ? (
                  <Text className='small muted mandates-line'>处理于 {day(m.revoked_at || m.decided_at)}</Text>
                ) : null}
              </View>
            ))}
          </View>
        ) : (
          <Action className='btn secondary block' onClick={() => setHistory(true)}>
            查看以往的授权（{past.length}）
          </Action>
        )
      ) : null}

      {items !== null && items.length < total ? (
        <Action className='btn secondary block' onClick={() => load(page + 1)}>
          加载更多
        </Action>
      ) : null}
    </Page>
  )
}
