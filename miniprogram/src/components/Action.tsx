import { View } from '@tarojs/components'
import { PropsWithChildren } from 'react'

interface Props {
  className?: string
  disabled?: boolean
  onClick: () => void
  /** Pressed state, for a choice among several (said in words too by the caller). */
  pressed?: boolean
}

/** A button that assistive technology and tests see as one: Taro's H5 <Button> renders a
 * custom element without the button role. Styled by app.css's `.btn` classes. */
/** H5: reachable with the Tab key and pressed with Enter or Space, as a real button is. The
 * mini-program has no keyboard; its views take no such attributes. */
const keyboard = (act: () => void): object =>
  process.env.TARO_ENV === 'h5'
    ? {
        tabIndex: 0,
        onKeyDown: (e: { key: string; preventDefault: () => void }) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault()
            act()
          }
        },
      }
    : {}

export default function Action({ className, disabled, onClick, pressed, children }: PropsWithChildren<Props>) {
  return (
    <View
      className={`btn ${className || ''} ${disabled ? 'btn-disabled' : ''}`}
      role='button'
      aria-disabled={disabled ? 'true' : undefined}
      aria-pressed={pressed === undefined ? undefined : pressed}
      onClick={() => {
        if (!disabled) onClick()
      }}
      {...keyboard(() => {
        if (!disabled) onClick()
      })}
    >
      {children}
    </View>
  )
}
