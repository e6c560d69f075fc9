import { View } from '@tarojs/components'
import { PropsWithChildren } from 'react'
import { useElder } from '../lib/elder'
import { isKiosk } from '../lib/platform'
import KioskIdle from './KioskIdle'

interface Props {
  /** A page-level error (a problem document's detail), shown above the content. */
  error?: string | null
  className?: string
}

/** Every page's root: applies 长辈模式 and the kiosk layout, and shows a page-level error. */
export default function Page({ error, className, children }: PropsWithChildren<Props>) {
  const elder = useElder()
  const classes = ['page', elder.on ? 'elder' : '', isKiosk() ? 'kiosk' : '', className || '']
  const style = elder.scale !== 1 ? { fontSize: `${Math.round(16 * elder.scale)}px` } : undefined
  return (
    <View className={classes.filter(Boolean).join(' ')} style={style}>
      {error ? (
        <View className='alert' role='alert'>
          {error}
        </View>
      ) : null}
      {children}
      {isKiosk() ? <KioskIdle /> : null}
    </View>
  )
}
