import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { Me as MeOut } from '../../api/types'
import Page from '../../components/Page'
import Toggle from '../../components/Toggle'
import { useElder } from '../../lib/elder'
import { go } from '../../lib/nav'
import './index.css'

interface Entry {
  page: string
  title: string
  hint: (me: MeOut) => string
}

const ENTRIES: Entry[] = [
  { page: 'bind', title: '实名认证', hint: (me) => (me.identity_bound ? '已登记，可重新登记' : '还没有登记，去登记') },
  { page: 'mandates', title: '代办授权', hint: () => '同意、拒绝或撤销代办员代您办事' },
  { page: 'messages', title: '我的消息', hint: () => '办件进度通知' },
  { page: 'phone', title: '手机号', hint: (me) => (me.phone_masked ? `已绑定 ${me.phone_masked}` : '还没有绑定，去绑定') },
  { page: 'privacy', title: '个人信息', hint: () => '查看、保存或申请删除' },
]

export default function Me() {
  const elder = useElder()
  const [me, setMe] = useState<MeOut | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [more, setMore] = useState(false)

  useDidShow(() => {
    api
      .get<MeOut>('/api/v1/me')
      .then((answer) => {
        setMe(answer)
        setError(null)
      })
      .catch((e: ApiError) => setError(e.message))
  })

  const shown = elder.on && !more ? ENTRIES.slice(0, 3) : ENTRIES

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>我的</View>
      {me === null && !error ? <Text className='muted'>正在读取您的信息…</Text> : null}
      {me ? (
        <View className='card me-who' aria-label='我的信息'>
          {me.identity_bound ? (
            <View>
              <Text className='me-name'>{me.name}</Text>
              <View className='me-line'>
                <Text className='muted'>身份证：</Text>
                <Text>{me.id_number_masked}</Text>
              </View>
              <View className='me-line'>
                <Text className='muted'>手机：</Text>
                <Text>{me.phone_masked || '未绑定'}</Text>
              </View>
              <View className='me-tags'>
                <Text className='tag open'>已实名登记</Text>
                <Text className={`tag ${me.identity_verified ? 'open' : 'warn'}`}>
                  {me.identity_verified ? '身份已核验' : '身份待核验'}
                </Text>
              </View>
            </View>
          ) : (
            <View>
              <Text className='me-name'>您还没有实名登记</Text>
              <Text className='muted me-line'>登记姓名和身份证号码后，才能在线提交申请。</Text>
              <Action className='btn block' onClick={() => go('bind')}>
                去实名认证
              </Action>
            </View>
          )}
        </View>
      ) : null}

      <View className='card me-links'>
        {shown.map((entry) => (
          <View key={entry.page} className='me-link' role='link' onClick={() => go(entry.page)}>
            <View className='me-link-text'>
              <Text className='me-link-title'>{entry.title}</Text>
              {me ? <Text className='small muted'>{entry.hint(me)}</Text> : null}
            </View>
            <Text className='me-arrow' aria-hidden>
              ›
            </Text>
          </View>
        ))}
        {elder.on && !more ? (
          <Action className='btn secondary block' onClick={() => setMore(true)}>
            更多（手机号、个人信息）
          </Action>
        ) : null}
      </View>

      <View className='card'>
        <Toggle label='长辈模式（大字）' checked={elder.on} onChange={elder.set} />
      </View>
    </Page>
  )
}
