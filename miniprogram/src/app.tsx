import { PropsWithChildren, useEffect } from 'react'
import { ElderProvider } from './lib/elder'
import { finishOAuth } from './lib/session'
import './app.css'

// Styles for the H5 alone (Taro's own H5 markup); the build drops this for the mini-program.
if (process.env.TARO_ENV === 'h5') require('./styles/h5.css')

function App({ children }: PropsWithChildren) {
  useEffect(() => {
    finishOAuth()
  }, [])
  return <ElderProvider>{children}</ElderProvider>
}

export default App
