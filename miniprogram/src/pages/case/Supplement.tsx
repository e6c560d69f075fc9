import { Text, Textarea, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useRef, useState } from 'react'
import { ApiError, api, newActionKey } from '../../api/client'
import type { CaseForCitizen } from '../../api/types'
import { choosePhotos, uploadPhoto } from '../../lib/upload'
import { timeText } from '../../lib/status'

interface Props {
  number: string
  missing: string[]
  note: string
  requestedAt: string
  onDone: (found: CaseForCitizen) => void
}

interface Uploading {
  /** upload ids of the photos done */
  done: string[]
  /** 0–100 while a photo is on its way, else null */
  progress: number | null
  error: string | null
}

const EMPTY: Uploading = { done: [], progress: null, error: null }

/** The supplement request (which materials, the note) and the answer: photos per material. */
export default function Supplement({ number, missing, note, requestedAt, onDone }: Props) {
  const [photos, setPhotos] = useState<Record<string, Uploading>>({})
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const key = useRef(newActionKey())

  const of = (type: string) => photos[type] || EMPTY
  const update = (type: string, change: Partial<Uploading>) =>
    setPhotos((before) => ({ ...before, [type]: { ...(before[type] || EMPTY), ...change } }))

  async function add(type: string) {
    const paths = await choosePhotos(3)
    if (paths.length === 0) return
    key.current = newActionKey()
    setError(null)
    const done = [...of(type).done]
    update(type, { error: null })
    for (const path of paths) {
      update(type, { progress: 0 })
      try {
        const created = await uploadPhoto(path, type, (p) => update(type, { progress: p }))
        done.push(created.id)
        update(type, { done: [...done], progress: null })
      } catch (e) {
        update(type, { progress: null, error: e instanceof ApiError ? e.message : String(e) })
        return
      }
    }
  }

  const waiting = missing.filter((t) => of(t).done.length === 0)
  const uploading = missing.some((t) => of(t).progress !== null)

  async function send() {
    if (waiting.length > 0) {
      setError(`还差这些材料的照片：${waiting.join('、')}`)
      return
    }
    setBusy(true)
    setError(null)
    try {
      const materials = missing.flatMap((type) => of(type).done.map((id) => ({ type, upload_id: id })))
      const found = await api.post<CaseForCitizen>(
        `/api/v1/cases/${number}/supplements`,
        { materials, note: text.trim() },
        key.current,
      )
      key.current = newActionKey()
      setPhotos({})
      setText('')
      onDone(found)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <View className='card case-supplement'>
      <Text className='subtitle'>需要您补正材料</Text>
      <Text className='small muted case-line'>窗口在 {timeText(requestedAt)} 提出</Text>
      {note ? <View className='notice'>窗口说明：{note}</View> : null}
      <Text className='case-line'>请为下面每一项重新拍照上传：</Text>
      {missing.map((type) => {
        const state = of(type)
        return (
          <View key={type} className='case-material'>
            <View className='row'>
              <Text className='case-material-name'>{type}</Text>
              <Text className={`tag ${state.done.length ? 'open' : 'warn'}`}>
                {state.done.length ? `已上传 ${state.done.length} 张` : '还没上传'}
              </Text>
            </View>
            {state.progress !== null ? (
              <View className='case-progress' role='progressbar' aria-valuenow={state.progress} aria-valuemin={0} aria-valuemax={100} aria-label={`${type}上传进度`}>
                <View className='case-progress-bar' style={{ width: `${state.progress}%` }} />
                <Text className='small case-progress-text'>正在上传 {state.progress}%</Text>
              </View>
            ) : null}
            {state.error ? <View className='alert' role='alert'>{state.error}</View> : null}
            <Action className='btn secondary block' disabled={(state.progress !== null || busy) || undefined} onClick={() => add(type)}>
              {state.done.length ? `再拍一张${type}` : `拍照或选照片：${type}`}
            </Action>
          </View>
        )
      })}
      <View className='field'>
        <Text className='label' id='supplement-note'>
          给窗口的说明（可不填）
        </Text>
        <Textarea
          className='input case-textarea'
          value={text}
          maxlength={500}
          aria-labelledby='supplement-note'
          placeholder='例如：已重新拍摄户口簿首页'
          onInput={(e) => {
            key.current = newActionKey()
            setText(e.detail.value)
          }}
        />
      </View>
      {error ? <View className='alert' role='alert'>{error}</View> : null}
      <Action className='btn block' disabled={(busy || uploading) || undefined} onClick={send}>
        提交补正材料
      </Action>
    </View>
  )
}
