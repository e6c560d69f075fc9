import { Text, View } from '@tarojs/components'

interface Props {
  label: string
  checked: boolean
  onChange: (value: boolean) => void
}

/** An on/off switch that says its state in words too (colour is never the only signal). */
export default function Toggle({ label, checked, onChange }: Props) {
  return (
    <View
      className={`toggle ${checked ? 'on' : ''}`}
      role='switch'
      aria-checked={checked}
      aria-label={label}
      onClick={() => onChange(!checked)}
    >
      <Text className='toggle-label'>{label}</Text>
      <View className='toggle-track'>
        <Text className='toggle-state'>{checked ? '已开' : '已关'}</Text>
      </View>
    </View>
  )
}
