import { Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { ItemDetail } from '../../api/types'
import Materials from '../../components/Materials'
import Action from '../../components/Action'
import Page from '../../components/Page'
import { useElder } from '../../lib/elder'
import { channelWords, daysWords, deliveryWords, elsewhereWords, filesOnline, here } from '../../lib/itemwords'
import { go, params } from '../../lib/nav'
import './index.css'

function Fact({ name, value }: { name: string; value: string }) {
  return (
    <View className='item-fact'>
      <Text className='item-fact-name'>{name}</Text>
      <Text className='item-fact-value'>{value}</Text>
    </View>
  )
}

export default function Item() {
  const elder = useElder()
  const code = params().code || ''
  const [item, setItem] = useState<ItemDetail | null>(null)
  const [error, setError] = useState<string | null>(code ? null : '没有指定事项，请回到上一页重新选择。')
  const [more, setMore] = useState(false)

  useEffect(() => {
    if (!code) return
    api
      .get<ItemDetail>(`/api/v1/items/${encodeURIComponent(code)}`, undefined, true)
      .then(setItem)
      .catch((e: ApiError) => setError(e.message))
  }, [code])

  if (!item) {
    return <Page error={error}>{error ? null : <View className='notice'>正在加载事项……</View>}</Page>
  }
  const online = filesOnline(item.channels)
  const showAll = !elder.on || more
  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>{item.name}</View>
      <View className='card item-facts'>
        <Fact name='承办部门' value={item.department_name} />
        <Fact name='承诺时限' value={daysWords(item.committed_days)} />
        {showAll ? <Fact name='法定时限' value={daysWords(item.legal_days)} /> : null}
        <Fact name='收费' value={item.fee || '不收费'} />
        {showAll ? <Fact name='拿到结果' value={deliveryWords(item.delivery_methods)} /> : null}
        {showAll ? <Fact name='办理方式' value={channelWords(item.channels)} /> : null}
      </View>
      {elder.on && !more ? (
        <Action className='secondary block' onClick={() => setMore(true)}>
          更多（法定时限、拿结果方式、办理方式）
        </Action>
      ) : null}
      <Materials name={item.name} materials={item.materials} />
      <View className='item-actions'>
        {online ? (
          <Action className='block' onClick={() => go('apply', { item: item.code })}>
            在线申请
          </Action>
        ) : (
          <View className='notice' role='note'>
            这个事项不能在{here()}申请。{elsewhereWords(item.channels)}
          </View>
        )}
        <Action className='secondary block' onClick={() => go('nearby', { item: item.code })}>
          附近哪里能办
        </Action>
      </View>
    </Page>
  )
}
