import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import { useRef, useState } from 'react'
import { ApiError, api, newActionKey } from '../../api/client'
import type { CaseForCitizen } from '../../api/types'

interface Props {
  number: string
  onDone: (found: CaseForCitizen) => void
}

/** 撤回申请 before acceptance, confirmed in place (never a pop-up). */
export default function Withdraw({ number, onDone }: Props) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const key = useRef(newActionKey())

  async function confirm() {
    setBusy(true)
    setError(null)
    try {
      const found = await api.post<CaseForCitizen>(`/api/v1/cases/${number}/withdraw`, {}, key.current)
      key.current = newActionKey()
      setAsking(false)
      onDone(found)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

  if (!asking) {
    return (
      <Action className='btn danger block' onClick={() => setAsking(true)}>
        撤回申请
      </Action>
    )
  }
  return (
    <View className='case-confirm' role='group' aria-label='确认撤回'>
      <Text className='case-confirm-text'>确定要撤回这件申请吗？撤回后窗口不再办理，要办需重新提交。</Text>
      {error ? <View className='alert' role='alert'>{error}</View> : null}
      <Action className='btn danger block' disabled={(busy) || undefined} onClick={confirm}>
        确定撤回
      </Action>
      <Action className='btn secondary block' disabled={(busy) || undefined} onClick={() => setAsking(false)}>
        不撤回了
      </Action>
    </View>
  )
}
