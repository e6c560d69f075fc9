import { PropsWithChildren, useEffect } from 'react'
import { ElderProvider } from './lib/elder'
import { finishOAuth } from './lib/session'
import './app.css'

function App({ children }: PropsWithChildren) {
  useEffect(() => {
    finishOAuth()
  }, [])
  return <ElderProvider>{children}</ElderProvider>
}

export default App
