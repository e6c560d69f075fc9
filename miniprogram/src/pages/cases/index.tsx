// 我的办件: every case where I am the applicant (also those an agent filed for me), newest
// first, a page at a time; each card says its state in words and what I must do now.
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro'
import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useCallback, useRef, useState } from 'react'
import Page from '../../components/Page'
import { ApiError, api } from '../../api/client'
import type { CaseSummary, CitizenCasePage } from '../../api/types'
import { useElder } from '../../lib/elder'
import { go } from '../../lib/nav'
import { dateText, daysLeftText, todo, tone } from '../../lib/status'
import './index.css'

const PAGE_SIZE = 10

function Card({ item }: { item: CaseSummary }) {
  const left = daysLeftText(item.working_days_left, item.status)
  const next = todo(item.status, item.evaluated)
  const by = item.filed_by.kind === 'agent' ? `代办员 ${item.filed_by.name || ''} 代办` : null
  return (
    <View className='card cases-card' role='link' onClick={() => go('case', { number: item.number })}>
      <View className='row'>
        <Text className='cases-name'>{item.name}</Text>
        <Text className={`tag ${tone(item.status)}`}>{item.status_label}</Text>
      </View>
      <Text className='small muted cases-line'>办件编号 {item.number}</Text>
      {by ? <Text className='cases-line'>{by}</Text> : null}
      {item.deadline ? <Text className='cases-line'>办结期限 {dateText(item.deadline)}</Text> : null}
      {left ? <Text className={`cases-line ${item.working_days_left !== null && item.working_days_left < 0 ? 'cases-late' : ''}`}>{left}</Text> : null}
      {next ? <Text className='cases-todo'>▶ {next}</Text> : null}
      <Text className='link cases-open'>查看详情</Text>
    </View>
  )
}

export default function Cases() {
  const elder = useElder()
  const [items, setItems] = useState<CaseSummary[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(0)
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const busy = useRef(false)

  const load = useCallback(async (next: number) => {
    if (busy.current) return
    busy.current = true
    setLoading(true)
    try {
      const answer = await api.get<CitizenCasePage>('/api/v1/cases', { page: next, page_size: PAGE_SIZE })
      setItems((before) => (next === 1 ? answer.items : [...before, ...answer.items]))
      setTotal(answer.total)
      setPage(next)
      setError(null)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      busy.current = false
      setLoading(false)
      Taro.stopPullDownRefresh()
    }
  }, [])

  useDidShow(() => {
    void load(1)
  })
  usePullDownRefresh(() => {
    void load(1)
  })

  const more = items.length < total
  return (
    <Page error={error}>
      <View className='row cases-head'>
        <View className='title' role='heading' aria-level={1}>我的办件</View>
        <Action className='btn secondary cases-refresh' disabled={(loading) || undefined} onClick={() => load(1)}>
          刷新
        </Action>
      </View>
      {total > 0 && !elder.on ? <Text className='muted cases-count'>共 {total} 件，最新的在前</Text> : null}
      {items.map((item) => (
        <Card key={item.number} item={item} />
      ))}
      {loading ? <View className='notice'>正在读取您的办件…</View> : null}
      {!loading && !error && total === 0 ? (
        <View className='card'>
          <Text className='subtitle'>您还没有办件</Text>
          <Text className='cases-line'>
            在首页点「查找办事事项」，找到要办的事，按提示拍照上传材料后提交，就会在这里看到办理进度。
          </Text>
          <Text className='cases-line muted'>不方便自己办，也可以请村（社区）代办员替您代办。</Text>
          <Action className='btn block' onClick={() => go('search')}>
            去查找办事事项
          </Action>
        </View>
      ) : null}
      {more && !loading ? (
        <Action className='btn secondary block' onClick={() => load(page + 1)}>
          加载更多（还有 {total - items.length} 件）
        </Action>
      ) : null}
      {!more && total > 0 && !loading ? <Text className='muted cases-end'>已经是全部办件了</Text> : null}
    </Page>
  )
}
