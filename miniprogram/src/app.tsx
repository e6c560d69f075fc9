import { PropsWithChildren } from 'react'
import { ElderProvider } from './lib/elder'
import './app.css'

// On a self-service terminal (/kiosk/) the app opens on the kiosk's home, not the citizens' one.
// This runs before the router reads the address, so the citizens' home is never drawn there.
if (process.env.TARO_ENV === 'h5' && window.location.pathname.startsWith('/kiosk')) {
  const hash = window.location.hash
  if (!hash || hash === '#/' || hash.startsWith('#/pages/index/index')) {
    window.history.replaceState(null, '', `${window.location.pathname}#/pages/kiosk/index`)
  }
}

function App({ children }: PropsWithChildren) {
  return <ElderProvider>{children}</ElderProvider>
}

export default App
