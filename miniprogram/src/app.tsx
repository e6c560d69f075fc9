import { PropsWithChildren, useEffect } from 'react'
import { ElderProvider } from './lib/elder'
import { finishOAuth } from './lib/session'
import './app.css'

// Styles for the H5 alone (Taro's own H5 markup); the build drops this for the mini-program.
if (process.env.TARO_ENV === 'h5') require('./styles/h5.css')

// On a self-service terminal (/kiosk/) the app opens on the kiosk's home, not the citizens' one.
// This runs before the router reads the address, so the citizens' home is never drawn there.
if (process.env.TARO_ENV === 'h5' && window.location.pathname.startsWith('/kiosk')) {
  const hash = window.location.hash
  if (!hash || hash === '#/' || hash.startsWith('#/pages/index/index')) {
    window.history.replaceState(null, '', `${window.location.pathname}#/pages/kiosk/index`)
  }
}

function App({ children }: PropsWithChildren) {
  useEffect(() => {
    finishOAuth()
  }, [])
  return <ElderProvider>{children}</ElderProvider>
}

export default App
