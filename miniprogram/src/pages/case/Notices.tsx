import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useState } from 'react'
import { ApiError } from '../../api/client'
import type { NoticeForCitizen } from '../../api/types'
import { openPdf } from '../../lib/pdf'
import { timeText } from '../../lib/status'

/** The formal notices of the case (受理通知书 …), each opened as its PDF. */
export default function Notices({ notices }: { notices: NoticeForCitizen[] }) {
  const [opening, setOpening] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function open(n: NoticeForCitizen) {
    setOpening(n.id)
    setError(null)
    try {
      await openPdf(n.pdf_path, `${n.title}-${n.number}`)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setOpening(null)
    }
  }

  return (
    <View className='card'>
      <Text className='subtitle'>办件文书</Text>
      {notices.length === 0 ? <Text className='muted'>还没有出具文书。受理、补正、办结时会有正式通知书。</Text> : null}
      {error ? <View className='alert' role='alert'>{error}</View> : null}
      {notices.map((n) => (
        <View key={n.id} className='case-notice'>
          <Text className='case-notice-title'>{n.title}</Text>
          <Text className='small muted case-line'>
            {n.number} · {n.department} · {timeText(n.issued_at)}
          </Text>
          <Action className='btn secondary block' disabled={(opening !== null) || undefined} onClick={() => open(n)}>
            查看{n.title}（PDF）
          </Action>
        </View>
      ))}
    </View>
  )
}
