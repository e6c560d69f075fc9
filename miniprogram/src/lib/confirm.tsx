// An inline confirmation area (确认区) in place of a pop-up dialog: 长辈模式 allows no pop-ups,
// and the same area in normal mode keeps one way of confirming for everyone.
import { Text, View } from '@tarojs/components'
import Action from '../components/Action'

interface Props {
  /** What will happen, in plain words. */
  question: string
  yes: string
  no: string
  busy?: boolean
  danger?: boolean
  onYes: () => void
  onNo: () => void
}

export function InlineConfirm({ question, yes, no, busy, danger, onYes, onNo }: Props) {
  return (
    <View className='confirm-area' role='group' aria-label={question}>
      <Text className='confirm-question'>{question}</Text>
      <Action className={`btn block ${danger ? 'danger' : ''}`} disabled={busy} onClick={onYes}>
        {busy ? '正在提交…' : yes}
      </Action>
      <Action className='btn secondary block' disabled={busy} onClick={onNo}>
        {no}
      </Action>
    </View>
  )
}
