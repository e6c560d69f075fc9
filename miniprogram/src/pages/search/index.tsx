import { Input, Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { BundlePage, ItemPage } from '../../api/types'
import Action from '../../components/Action'
import Page from '../../components/Page'
import { useElder } from '../../lib/elder'
import { channelWords, daysWords, filesOnline, here } from '../../lib/itemwords'
import { go, params } from '../../lib/nav'
import './index.css'

type ItemRow = ItemPage['items'][number]
type BundleRow = BundlePage['items'][number]

const PAGE_SIZE = 10

interface Lists {
  items: ItemRow[]
  itemTotal: number
  bundles: BundleRow[]
  bundleTotal: number
}

const EMPTY: Lists = { items: [], itemTotal: 0, bundles: [], bundleTotal: 0 }

export default function Search() {
  const elder = useElder()
  const [typed, setTyped] = useState(() => params().q || '')
  const [q, setQ] = useState(() => params().q || '')
  const [lists, setLists] = useState<Lists>(EMPTY)
  const [loading, setLoading] = useState(true)
  const [more, setMore] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    setLoading(true)
    setError(null)
    Promise.all([
      api.get<ItemPage>('/api/v1/items', { q, page: 1, page_size: PAGE_SIZE }, true),
      api.get<BundlePage>('/api/v1/bundles', { q, page: 1, page_size: PAGE_SIZE }, true),
    ])
      .then(([items, bundles]) => {
        if (live) setLists({ items: items.items, itemTotal: items.total, bundles: bundles.items, bundleTotal: bundles.total })
      })
      .catch((e: ApiError) => live && setError(e.message))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [q])

  async function loadMore(kind: 'items' | 'bundles') {
    setMore(true)
    setError(null)
    try {
      if (kind === 'items') {
        const next = await api.get<ItemPage>('/api/v1/items', { q, page: Math.floor(lists.items.length / PAGE_SIZE) + 1, page_size: PAGE_SIZE }, true)
        setLists((l) => ({ ...l, items: [...l.items, ...next.items], itemTotal: next.total }))
      } else {
        const next = await api.get<BundlePage>('/api/v1/bundles', { q, page: Math.floor(lists.bundles.length / PAGE_SIZE) + 1, page_size: PAGE_SIZE }, true)
        setLists((l) => ({ ...l, bundles: [...l.bundles, ...next.items], bundleTotal: next.total }))
      }
    } catch (e) {
      setError((e as ApiError).message)
    } finally {
      setMore(false)
    }
  }

  const nothing = !loading && !error && !lists.items.length && !lists.bundles.length
  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>查找办事事项</View>
      <View className='card'>
        <Text className='label' id='search-q-label'>
          事项名称、关键词或拼音首字母
        </Text>
        <View className='search-bar'>
          <Input
            className='input'
            value={typed}
            placeholder='如：出生登记、csdj'
            aria-labelledby='search-q-label'
            confirmType='search'
            onInput={(e) => setTyped(e.detail.value)}
            onConfirm={() => setQ(typed.trim())}
          />
          <Action onClick={() => setQ(typed.trim())}>
            搜索
          </Action>
        </View>
      </View>
      {loading ? <View className='notice'>正在查找……</View> : null}
      {nothing ? (
        <View className='card' role='status'>
          <Text className='search-empty'>{q ? `没有找到与“${q}”有关的事项。` : '事项目录是空的。'}</Text>
          <Text className='search-empty muted'>
            可以换个说法，比如只输入两三个字（“身份证”），或输入名称的拼音首字母（“出生登记”输入 csdj）。
          </Text>
        </View>
      ) : null}
      {!loading && lists.bundles.length ? (
        <View>
          <Text className='subtitle'>一件事（几件事一次办）· 共 {lists.bundleTotal} 项</Text>
          {lists.bundles.map((b) => (
            <View key={b.code} className='card' role='link' onClick={() => go('bundle', { code: b.code })}>
              <Text className='search-card-name'>{b.name}</Text>
              <Text className='search-card-line'>包含 {b.items.length} 个事项：{b.items.map((i) => i.name).join('、')}</Text>
              {elder.on ? null : (
                <Text className='search-card-line muted'>
                  {filesOnline(b.channels) ? `可在${here()}一次申请` : b.items.some((i) => filesOnline(i.channels)) ? `${here()}可申请其中一部分` : '须到窗口或找代办员办理'}
                </Text>
              )}
            </View>
          ))}
          {lists.bundles.length < lists.bundleTotal ? (
            <Action className='secondary block' disabled={more} onClick={() => loadMore('bundles')}>
              {more ? '正在加载……' : '加载更多一件事'}
            </Action>
          ) : null}
        </View>
      ) : null}
      {!loading && lists.items.length ? (
        <View>
          <Text className='subtitle'>事项 · 共 {lists.itemTotal} 项</Text>
          {lists.items.map((i) => (
            <View key={i.code} className='card' role='link' onClick={() => go('item', { code: i.code })}>
              <Text className='search-card-name'>{i.name}</Text>
              <Text className='search-card-line'>{i.department_name}</Text>
              <Text className='search-card-line'>承诺 {daysWords(i.committed_days)}</Text>
              {elder.on ? (
                <Text className='search-card-line muted'>{filesOnline(i.channels) ? `可在${here()}申请` : '须到窗口或找代办员办理'}</Text>
              ) : (
                <Text className='search-card-line muted'>办理方式：{channelWords(i.channels)}</Text>
              )}
            </View>
          ))}
          {lists.items.length < lists.itemTotal ? (
            <Action className='secondary block' disabled={more} onClick={() => loadMore('items')}>
              {more ? '正在加载……' : '加载更多事项'}
            </Action>
          ) : null}
        </View>
      ) : null}
    </Page>
  )
}
