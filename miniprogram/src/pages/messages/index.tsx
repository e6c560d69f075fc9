import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { Message, MessagePage } from '../../api/types'
import Page from '../../components/Page'
import { go } from '../../lib/nav'
import './index.css'

const PAGE_SIZE = 20

/** Asia/Shanghai wall time of an ISO instant, as 2026-12-07 09:30. */
function shanghai(iso: string): string {
  const t = new Date(new Date(iso).getTime() + 8 * 3600 * 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`
}

export default function Messages() {
  const [items, setItems] = useState<Message[] | null>(null)
  const [total, setTotal] = useState(0)
  const [unread, setUnread] = useState(0)
  const [page, setPage] = useState(1)
  const [open, setOpen] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)

  async function load(upTo: number) {
    setLoading(true)
    try {
      let all: Message[] = []
      let count = 0
      let unreadCount = 0
      for (let p = 1; p <= upTo; p++) {
        const answer = await api.get<MessagePage>('/api/v1/messages', { page: p, page_size: PAGE_SIZE })
        all = all.concat(answer.items)
        count = answer.total
        unreadCount = answer.unread
        if (all.length >= count || answer.items.length === 0) break
      }
      setItems(all)
      setTotal(count)
      setUnread(unreadCount)
      setPage(upTo)
      setError(null)
    } catch (e) {
      setError((e as ApiError).message)
    } finally {
      setLoading(false)
    }
  }

  useDidShow(() => {
    load(page)
  })

  async function openMessage(m: Message) {
    setOpen(open === m.id ? null : m.id)
    if (m.read_at) return
    try {
      await api.post<object>(`/api/v1/messages/${m.id}/read`)
      const now = new Date().toISOString()
      setItems((list) => (list || []).map((x) => (x.id === m.id ? { ...x, read_at: x.read_at || now } : x)))
      setUnread((n) => Math.max(n - 1, 0))
    } catch (e) {
      setError((e as ApiError).message)
    }
  }

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>我的消息</View>
      {items !== null && items.length > 0 ? (
        <Text className='muted messages-count'>{unread > 0 ? `共 ${total} 条，${unread} 条未读` : `共 ${total} 条，都已读`}</Text>
      ) : null}
      {items === null && !error ? <Text className='muted'>正在读取消息…</Text> : null}
      {items !== null && items.length === 0 ? (
        <View className='card'>
          <Text>还没有消息。办件有进展时，会在这里通知您。</Text>
        </View>
      ) : null}
      {(items || []).map((m) => (
        <View key={m.id} className={`card messages-item ${m.read_at ? 'messages-read' : 'messages-unread'}`}>
          <View
            className='messages-head'
            role='button'
            aria-expanded={open === m.id}
            onClick={() => openMessage(m)}
          >
            <View className='row'>
              <Text className='messages-title'>{m.title}</Text>
              <Text className={`tag ${m.read_at ? 'closed' : 'warn'}`}>{m.read_at ? '已读' : '未读'}</Text>
            </View>
            <Text className='small muted'>{shanghai(m.created_at)}</Text>
            {open === m.id ? null : <Text className='small messages-more'>点此查看全文</Text>}
          </View>
          {open === m.id ? (
            <View className='messages-body'>
              <Text className='messages-text'>{m.body}</Text>
              {m.case_number ? (
                <Action className='btn secondary block' onClick={() => go('case', { number: m.case_number || '' })}>
                  查看办件 {m.case_number}
                </Action>
              ) : m.event === 'mandate.requested' ? (
                <Action className='btn secondary block' onClick={() => go('mandates')}>
                  去处理代办授权
                </Action>
              ) : null}
            </View>
          ) : null}
        </View>
      ))}
      {items !== null && items.length < total ? (
        <Action className='btn secondary block' disabled={loading} onClick={() => load(page + 1)}>
          {loading ? '正在读取…' : '加载更多'}
        </Action>
      ) : null}
    </Page>
  )
}
