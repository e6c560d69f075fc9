import { Text, View } from '@tarojs/components'
import type { ItemDetail } from '../api/types'
import { bringList, materialWords } from '../lib/itemwords'

type Material = ItemDetail['materials'][number]

interface Props {
  /** The item's or bundle's name, for the one-time list. */
  name: string
  materials: readonly Material[]
}

/** The materials of an item or bundle, and 一次性告知: every required one in one list. */
export default function Materials({ name, materials }: Props) {
  return (
    <View>
      <Text className='subtitle'>一次性告知：要带的材料</Text>
      <View className='card notice-card' aria-live='polite'>
        <Text className='materials-bring'>{bringList(name, materials)}</Text>
      </View>
      <Text className='subtitle'>材料清单（{materials.length} 项）</Text>
      <View className='card'>
        {materials.map((m) => (
          <View key={m.type} className='materials-row'>
            <Text className='materials-name'>{m.name}</Text>
            <Text className='muted materials-words'>{materialWords(m)}</Text>
          </View>
        ))}
      </View>
    </View>
  )
}
