import { View } from '@tarojs/components'
import { lazy, PropsWithChildren, Suspense } from 'react'
import { useElder } from '../lib/elder'
import { isKiosk } from '../lib/platform'

// The kiosk's idle watch is loaded only on a terminal: the citizens' pages never download it,
// and the mini-program never builds it.
const KioskIdle = process.env.TARO_ENV === 'h5' ? lazy(() => import('./KioskIdle')) : null

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
    <View className={classes.filter(Boolean).join(' ')} style={style} role='main'>
      {error ? (
        <View className='alert' role='alert'>
          {error}
        </View>
      ) : null}
      {children}
      {KioskIdle && isKiosk() ? (
        <Suspense fallback={null}>
          <KioskIdle />
        </Suspense>
      ) : null}
    </View>
  )
}
