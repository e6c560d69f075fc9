import { Text, Textarea, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useRef, useState } from 'react'
import { ApiError, api, newActionKey } from '../../api/client'
import type { CaseForCitizen } from '../../api/types'
import { SCORES } from '../../lib/status'

interface Props {
  number: string
  onDone: (found: CaseForCitizen) => void
}

/** 好差评: five labelled choices (not stars only) and an optional comment. */
export default function Rating({ number, onDone }: Props) {
  const [score, setScore] = useState<number | null>(null)
  const [comment, setComment] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const key = useRef(newActionKey())

  async function send() {
    if (score === null) {
      setError('请先选一项：您对这次办事满意吗？')
      return
    }
    setBusy(true)
    setError(null)
    try {
      const body = { score, comment: comment.trim() || null }
      const found = await api.post<CaseForCitizen>(`/api/v1/cases/${number}/evaluation`, body, key.current)
      key.current = newActionKey()
      onDone(found)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='card'>
      <Text className='subtitle' id='rating-question'>
        您对这次办事满意吗？
      </Text>
      <View className='case-scores' role='radiogroup' aria-labelledby='rating-question'>
        {SCORES.map((s) => (
          <View
            key={s.score}
            className={`case-score ${score === s.score ? 'chosen' : ''}`}
            role='radio'
            aria-checked={score === s.score}
            aria-label={s.words}
            onClick={() => {
              key.current = newActionKey()
              setScore(s.score)
            }}
          >
            <Text className='case-score-mark'>{score === s.score ? '●' : '○'}</Text>
            <Text>{s.words}</Text>
            <Text className='small muted case-score-stars'>{'★'.repeat(s.score)}</Text>
          </View>
        ))}
      </View>
      <View className='field'>
        <Text className='label' id='rating-comment'>
          想说的话（可不填）
        </Text>
        <Textarea
          className='input case-textarea'
          value={comment}
          maxlength={500}
          aria-labelledby='rating-comment'
          placeholder='办得怎么样，哪里可以改进'
          onInput={(e) => {
            key.current = newActionKey()
            setComment(e.detail.value)
          }}
        />
      </View>
      {error ? <View className='alert' role='alert'>{error}</View> : null}
      <Action className='btn block' disabled={(busy) || undefined} onClick={send}>
        提交评价
      </Action>
    </View>
  )
}
