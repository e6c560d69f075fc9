import { PropsWithChildren } from 'react'
import { ElderProvider } from './lib/elder'
import './app.css'

function App({ children }: PropsWithChildren) {
  return <ElderProvider>{children}</ElderProvider>
}

export default App
