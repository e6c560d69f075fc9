import { Text, View } from '@tarojs/components'
import { useEffect, useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { BundleDetail } from '../../api/types'
import Materials from '../../components/Materials'
import Action from '../../components/Action'
import Page from '../../components/Page'
import { useElder } from '../../lib/elder'
import { channelWords, daysWords, elsewhereWords, filesOnline, here } from '../../lib/itemwords'
import { go, params } from '../../lib/nav'
import './index.css'

export default function Bundle() {
  const elder = useElder()
  const code = params().code || ''
  const [bundle, setBundle] = useState<BundleDetail | null>(null)
  const [error, setError] = useState<string | null>(code ? null : '没有指定一件事，请回到上一页重新选择。')

  useEffect(() => {
    if (!code) return
    api
      .get<BundleDetail>(`/api/v1/bundles/${encodeURIComponent(code)}`, undefined, true)
      .then(setBundle)
      .catch((e: ApiError) => setError(e.message))
  }, [code])

  if (!bundle) {
    return <Page error={error}>{error ? null : <View className='notice'>正在加载……</View>}</Page>
  }
  const now = bundle.items.filter((i) => filesOnline(i.channels))
  const later = bundle.items.filter((i) => !filesOnline(i.channels))
  const whole = filesOnline(bundle.channels)
  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>{bundle.name}</View>
      <View className={whole ? 'ok' : 'notice'} role='note'>
        {whole
          ? `这件事可以在${here()}一次申请，包含的 ${bundle.items.length} 个事项一起提交。`
          : now.length
            ? `${here()}可以先申请其中 ${now.length} 项（${now.map((i) => i.name).join('、')}）；另外 ${later.length} 项（${later.map((i) => i.name).join('、')}）须另行办理，提交后会告诉您到哪里办。`
            : `这件事不能在${here()}申请。${elsewhereWords(bundle.channels)}`}
      </View>
      <Text className='subtitle'>包含的事项（{bundle.items.length} 项）</Text>
      <View className='card'>
        {bundle.items.map((i) => (
          <View key={i.code} className='bundle-item' role='link' onClick={() => go('item', { code: i.code })}>
            <Text className='bundle-item-name'>{i.name}</Text>
            <Text className='bundle-item-line'>
              {i.department_name}，承诺 {daysWords(i.committed_days)}
            </Text>
            <Text className='bundle-item-line muted'>
              {elder.on ? (filesOnline(i.channels) ? `可在${here()}申请` : '须到窗口或找代办员办理') : `办理方式：${channelWords(i.channels)}`}
            </Text>
          </View>
        ))}
      </View>
      <Materials name={bundle.name} materials={bundle.materials} />
      {now.length ? (
        <Action className='block' onClick={() => go('apply', { bundle: bundle.code })}>
          在线申请
        </Action>
      ) : null}
      <Action className='secondary block' onClick={() => go('nearby', { bundle: bundle.code })}>
        附近哪里能办
      </Action>
    </Page>
  )
}
