import { Input, Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import Page from '../../components/Page'
import Toggle from '../../components/Toggle'
import { useElder } from '../../lib/elder'
import { go } from '../../lib/nav'
import { isKiosk } from '../../lib/platform'

const TILES: { page: string; title: string; hint: string }[] = [
  { page: 'search', title: '查找办事事项', hint: '按名称或拼音首字母查找' },
  { page: 'cases', title: '我的办件', hint: '进度、补正、评价' },
  { page: 'messages', title: '我的消息', hint: '办件进度通知' },
  { page: 'me', title: '我的', hint: '实名、手机、代办授权' },
]

export default function Index() {
  const elder = useElder()
  const [q, setQ] = useState('')
  const tiles = elder.on ? TILES.slice(0, 3) : TILES
  // A terminal's pages that go "home" land on the kiosk's home instead.
  useEffect(() => {
    if (isKiosk()) Taro.reLaunch({ url: '/pages/kiosk/index' })
  }, [])
  if (isKiosk()) return <Page />
  return (
    <Page>
      <View className='title' role='heading' aria-level={1}>就近办 · 家门口办事</View>
      <View className='card'>
        <Toggle label='长辈模式（大字）' checked={elder.on} onChange={elder.set} />
      </View>
      <View className='card'>
        <Text className='label' id='search-label'>
          想办什么事？
        </Text>
        <Input
          className='input'
          value={q}
          placeholder='如：出生登记、csdj'
          aria-labelledby='search-label'
          confirmType='search'
          onInput={(e) => setQ(e.detail.value)}
          onConfirm={() => go('search', { q })}
        />
      </View>
      <View className='tiles'>
        {tiles.map((t) => (
          <View key={t.page} className='tile' role='link' onClick={() => go(t.page)}>
            <Text>{t.title}</Text>
            <Text className='small muted'>{t.hint}</Text>
          </View>
        ))}
      </View>
      {elder.on ? (
        <View className='tile' role='link' onClick={() => go('me')}>
          <Text>我的</Text>
        </View>
      ) : null}
    </Page>
  )
}
