import { Text, View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'
import { api, ApiError } from '../../api/client'
import type { Area, AreaPage, BundleDetail, ItemDetail, NearbyPage, NearbyPoint } from '../../api/types'
import Action from '../../components/Action'
import Page from '../../components/Page'
import { distanceWords } from '../../lib/itemwords'
import { params } from '../../lib/nav'
import './index.css'

type Mode = 'walk' | 'ebike' | 'car'
const MODES: { mode: Mode; label: string }[] = [
  { mode: 'walk', label: '步行' },
  { mode: 'ebike', label: '电动车' },
  { mode: 'car', label: '驾车' },
]
const WITHIN_MINUTES = 30

interface Place {
  lat: number
  lng: number
  /** How the place was found, said to the citizen. */
  words: string
}

/** Where the citizen is: the phone's location, or null when refused or unavailable. */
async function locate(): Promise<Place | null> {
  try {
    const found = await Taro.getLocation({ type: 'wgs84' })
    return { lat: found.latitude, lng: found.longitude, words: '按您现在的位置' }
  } catch {
    return null
  }
}

function VillagePicker({ onPick }: { onPick: (place: Place) => void }) {
  const [townships, setTownships] = useState<Area[] | null>(null)
  const [township, setTownship] = useState<Area | null>(null)
  const [villages, setVillages] = useState<Area[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api
      .get<AreaPage>('/api/v1/areas', { level: 'township', page_size: 100 }, true)
      .then((p) => setTownships(p.items))
      .catch((e: ApiError) => setError(e.message))
  }, [])

  function openTownship(t: Area) {
    setTownship(t)
    setVillages(null)
    api
      .get<AreaPage>('/api/v1/areas', { level: 'village', parent: t.code, page_size: 100 }, true)
      .then((p) => setVillages(p.items))
      .catch((e: ApiError) => setError(e.message))
  }

  function pick(v: Area) {
    const lat = v.lat ?? township?.lat
    const lng = v.lng ?? township?.lng
    if (lat === null || lat === undefined || lng === null || lng === undefined) {
      setError(`没有“${v.name}”的位置，请选择附近的另一个村（社区）。`)
      return
    }
    onPick({ lat, lng, words: `从${v.name}出发` })
  }

  return (
    <View className='card'>
      {error ? <View className='alert'>{error}</View> : null}
      {!township ? (
        <View>
          <Text className='nearby-where'>请选择您所在的镇街：</Text>
          {townships === null ? <Text className='muted'>正在加载……</Text> : null}
          {townships && !townships.length ? <Text className='muted'>没有可选的镇街。</Text> : null}
          <View className='nearby-choices'>
            {(townships || []).map((t) => (
              <Action key={t.code} className='secondary' onClick={() => openTownship(t)}>
                {t.name}
              </Action>
            ))}
          </View>
        </View>
      ) : (
        <View>
          <Text className='nearby-where'>{township.name}：请选择您所在的村（社区）</Text>
          {villages === null ? <Text className='muted'>正在加载……</Text> : null}
          {villages && !villages.length ? <Text className='muted'>这个镇街下没有登记村（社区）。</Text> : null}
          <View className='nearby-choices'>
            {(villages || []).map((v) => (
              <Action key={v.code} className='secondary' onClick={() => pick(v)}>
                {v.name}
              </Action>
            ))}
          </View>
          <Action className='secondary block' onClick={() => setTownship(null)}>
            换一个镇街
          </Action>
        </View>
      )}
    </View>
  )
}

export default function Nearby() {
  const query = params()
  const [itemCode, setItemCode] = useState(query.item || '')
  const [title, setTitle] = useState('')
  const [bundle, setBundle] = useState<BundleDetail | null>(null)
  const [place, setPlace] = useState<Place | null>(null)
  const [locating, setLocating] = useState(true)
  const [picking, setPicking] = useState(false)
  const [mode, setMode] = useState<Mode>('ebike')
  const [points, setPoints] = useState<NearbyPoint[] | null>(null)
  const [error, setError] = useState<string | null>(query.item || query.bundle ? null : '没有指定事项，请回到上一页重新选择。')

  useEffect(() => {
    if (query.bundle) {
      api
        .get<BundleDetail>(`/api/v1/bundles/${encodeURIComponent(query.bundle)}`, undefined, true)
        .then((b) => {
          setBundle(b)
          if (!itemCode && b.items.length) setItemCode(b.items[0].code)
        })
        .catch((e: ApiError) => setError(e.message))
    }
    locate().then((found) => {
      setPlace(found)
      setPicking(found === null)
      setLocating(false)
    })
  }, [])

  useEffect(() => {
    if (!itemCode || bundle) return
    api
      .get<ItemDetail>(`/api/v1/items/${encodeURIComponent(itemCode)}`, undefined, true)
      .then((i) => setTitle(i.name))
      .catch((e: ApiError) => setError(e.message))
  }, [itemCode, bundle])

  useEffect(() => {
    if (!place || !itemCode) return
    let live = true
    setPoints(null)
    setError(null)
    api
      .get<NearbyPage>('/api/v1/service-points/nearby', { lat: place.lat, lng: place.lng, item: itemCode, mode, within_minutes: WITHIN_MINUTES }, true)
      .then((p) => live && setPoints(p.items))
      .catch((e: ApiError) => live && setError(e.message))
    return () => {
      live = false
    }
  }, [place, itemCode, mode])

  const modeLabel = MODES.find((m) => m.mode === mode)!.label
  const name = bundle ? bundle.items.find((i) => i.code === itemCode)?.name || '' : title
  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>附近哪里能办</View>
      {name ? <Text className='nearby-where'>事项：{name}</Text> : null}
      {bundle ? (
        <View className='card'>
          <Text className='nearby-where'>{bundle.name}包含几个事项，请选择要查的那一项：</Text>
          <View className='nearby-choices'>
            {bundle.items.map((i) => (
              <Action
                key={i.code}
                className={`${i.code === itemCode ? '' : 'secondary'}`}
                pressed={i.code === itemCode}
                onClick={() => setItemCode(i.code)}
              >
                {i.code === itemCode ? `✓ ${i.name}` : i.name}
              </Action>
            ))}
          </View>
        </View>
      ) : null}
      <View className='card'>
        <Text className='nearby-where'>怎么去：</Text>
        <View className='nearby-modes' role='radiogroup' aria-label='出行方式'>
          {MODES.map((m) => (
            <View
              key={m.mode}
              className={`btn ${m.mode === mode ? '' : 'secondary'}`}
              role='radio'
              aria-checked={m.mode === mode}
              onClick={() => setMode(m.mode)}
            >
              {m.mode === mode ? `✓ ${m.label}` : m.label}
            </View>
          ))}
        </View>
      </View>
      {locating ? <View className='notice'>正在获取您的位置……</View> : null}
      {!locating && picking ? (
        <View>
          <View className='notice' role='note'>
            {place ? '请选择从哪个村（社区）出发。' : '没能取得您的位置（可能没有允许定位）。请选择您所在的村（社区），按村里的位置来找。'}
          </View>
          <VillagePicker
            onPick={(p) => {
              setPlace(p)
              setPicking(false)
            }}
          />
        </View>
      ) : null}
      {place && !picking ? (
        <View className='row'>
          <Text className='muted'>{place.words}，{modeLabel} {WITHIN_MINUTES} 分钟内</Text>
          <View className='link' role='button' onClick={() => setPicking(true)}>
            换个出发村
          </View>
        </View>
      ) : null}
      {place && !picking && points === null && !error ? <View className='notice'>正在查找附近的办事点……</View> : null}
      {place && !picking && points && !points.length ? (
        <View className='card' role='status'>
          {modeLabel} {WITHIN_MINUTES} 分钟内没有能办这个事项的地方。可以换一种出行方式再看，或请村社代办员代办。
        </View>
      ) : null}
      {!picking &&
        (points || []).map((p) => (
          <View key={p.id} className='card'>
            <Text className='nearby-name'>{p.name}</Text>
            <Text className='nearby-line'>
              <Text className='nearby-minutes'>
                {modeLabel}约 {Math.max(1, Math.ceil(p.travel_minutes))} 分钟
              </Text>
              <Text>，距离 {distanceWords(p.distance_m)}</Text>
            </Text>
            <Text className='nearby-line'>
              <Text className={`tag ${p.open_now ? 'open' : 'closed'}`}>{p.open_now ? '现在开门' : '现在不开门'}</Text>
              <Text> {p.kind_label}</Text>
            </Text>
            {p.address ? <Text className='nearby-line muted'>地址：{p.address}</Text> : null}
            <Text className='nearby-line muted'>
              {p.hours ? `开放时间：${p.hours}` : p.kind === 'self_service_terminal' ? '全天开放' : '开放时间未登记，去之前请先打电话问一下'}
            </Text>
            {p.phone ? <Text className='nearby-line muted'>电话：{p.phone}</Text> : null}
          </View>
        ))}
    </Page>
  )
}
