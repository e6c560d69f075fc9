// Catalogue values said in plain words for the citizen: channels, delivery methods, time limits,
// materials. Shared by the search, item, bundle, nearby and application pages.
import type { ItemDetail } from '../api/types'
import { isKiosk } from './platform'

export type Channel = ItemDetail['channels'][number]
export type DeliveryMethod = ItemDetail['delivery_methods'][number]
type Material = ItemDetail['materials'][number]

/** The channel through which this client files a case (docs/catalogue.md: `online` is the mini-program). */
export const MINIPROGRAM_CHANNEL: Channel = 'online'

const CHANNEL_WORDS: Record<Channel, string> = {
  online: '手机上申请',
  window: '镇街便民服务中心窗口',
  agent: '村社代办员代办',
  bank: '政银通银行网点',
  self_service: '自助服务终端',
}

const CHANNEL_ORDER: Channel[] = ['online', 'window', 'agent', 'bank', 'self_service']

export function channelWords(channels: readonly Channel[]): string {
  return CHANNEL_ORDER.filter((c) => channels.includes(c))
    .map((c) => CHANNEL_WORDS[c])
    .join('、')
}

/** The channel this client files through: the mini-program and the H5 file `online`; a
 * self-service terminal files `self_service` (the server decides the case's channel itself). */
export function filingChannel(): Channel {
  return isKiosk() ? 'self_service' : MINIPROGRAM_CHANNEL
}

/** Where the citizen is filing, in words: 「手机上」, or 「本机上」 at a self-service terminal. */
export function here(): string {
  return isKiosk() ? '本机上' : '手机上'
}

export function filesOnline(channels: readonly Channel[]): boolean {
  return channels.includes(filingChannel())
}

const ELSEWHERE: Record<Exclude<Channel, 'online'>, string> = {
  window: '带齐材料到镇街便民服务中心窗口办理',
  bank: '带齐材料到政银通银行网点办理',
  self_service: '到自助服务终端办理',
  agent: '找村社代办员上门代办',
}

/** Where to go instead of the phone, in one sentence. */
export function elsewhereWords(channels: readonly Channel[]): string {
  const ways = (['window', 'agent', 'bank', 'self_service'] as const).filter((c) => channels.includes(c))
  if (!ways.length) ways.push('window')
  return `请${ways.map((c) => ELSEWHERE[c]).join('，或')}。`
}

export const DELIVERY_WORDS: Record<DeliveryMethod, string> = {
  window: '到窗口领取',
  mail: '邮寄到家',
  agent: '村社代办员送达',
}

export function deliveryWords(methods: readonly DeliveryMethod[]): string {
  return methods.map((m) => DELIVERY_WORDS[m]).join('、')
}

/** A time limit in working days: 0 is 即办 (done on the spot). */
export function daysWords(days: number): string {
  return days === 0 ? '即办（当场办结）' : `${days} 个工作日`
}

export function materialWords(m: Pick<Material, 'required' | 'original' | 'copies' | 'exempt_if_shared'>): string {
  const parts = [m.required ? '必需' : '可选', m.original ? '原件' : '复印件']
  parts.push(m.copies > 0 ? `${m.copies} 份` : '只需出示')
  if (m.exempt_if_shared) parts.push('可免交（能查到电子证照时）')
  return parts.join('，')
}

/** 一次性告知: every required material in one sentence that reads well aloud. */
export function bringList(name: string, materials: readonly Pick<Material, 'name' | 'required' | 'original' | 'copies'>[]): string {
  const needed = materials.filter((m) => m.required)
  if (!needed.length) return `办理“${name}”不需要带材料。`
  const parts = needed.map((m, i) => {
    const form = m.original ? '原件' : '复印件'
    const copies = m.copies > 0 ? `${m.copies} 份` : ''
    return `${i + 1}. ${m.name}（${form}${copies ? ` ${copies}` : ''}）`
  })
  return `办理“${name}”请一次带齐以下 ${needed.length} 样材料：${parts.join('；')}。`
}

export function distanceWords(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} 米` : `${(meters / 1000).toFixed(1)} 公里`
}
