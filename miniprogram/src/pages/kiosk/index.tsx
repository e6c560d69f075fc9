import { Text, View } from '@tarojs/components'
import Action from '../../components/Action'
import Taro, { useDidShow } from '@tarojs/taro'
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, api } from '../../api/client'
import type { CaseSummary, CitizenCasePage } from '../../api/types'
import Page from '../../components/Page'
import { kioskReader, ReaderError } from '../../lib/idcard'
import { kiosk, Person } from '../../lib/kiosk'
import { go, params } from '../../lib/nav'
import { isKiosk } from '../../lib/platform'
import { acceptanceNotice, printNotice } from '../../lib/print'
import { terminal } from '../../lib/terminal'
import './index.css'

const POLL_MS = 1000
const LOGIN_RETRY_MS = 15_000
/** Statuses a case can have once the window accepted it (and so may have a 受理通知书). */
const ACCEPTED = new Set(['accepted', 'in_review', 'approved', 'denied', 'result_ready', 'delivered', 'awaiting_supplement'])
const PRINTABLE_LOOKUP = 10

type Screen =
  | { kind: 'starting' }
  | { kind: 'out'; detail: string; retry: boolean }
  | { kind: 'waiting' }
  | { kind: 'remove' }
  | { kind: 'opening' }
  | { kind: 'menu'; person: Person }

interface Printable {
  summary: CaseSummary
  notice: Awaited<ReturnType<typeof acceptanceNotice>>
}

/** The 「已提交」 panel after a case was filed here. */
function Filed({ number }: { number: string }) {
  return (
    <View className='kiosk-filed' role='status'>
      <View className='kiosk-filed-title' role='heading' aria-level={1}>✓ 已提交</View>
      <Text className='kiosk-filed-number'>办件编号：{number}</Text>
      <Text className='kiosk-filed-next'>
        接下来：镇街便民服务中心的工作人员会审核您的材料；受理后，您可以在本机「我的办件」查看进度、打印受理通知书，
        也可以拿这个编号到窗口询问。需要补充材料时，工作人员会通知您。
      </Text>
    </View>
  )
}

function Menu({ person, filed }: { person: Person; filed: string }) {
  const [printables, setPrintables] = useState<Printable[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [printing, setPrinting] = useState<string | null>(null)
  const [printed, setPrinted] = useState<string | null>(null)

  const load = useCallback(async () => {
    setError(null)
    try {
      const page = await api.get<CitizenCasePage>('/api/v1/cases', { page: 1, page_size: PRINTABLE_LOOKUP })
      const accepted = page.items.filter((c) => ACCEPTED.has(c.status))
      const found = await Promise.all(
        accepted.map(async (summary) => ({ summary, notice: await acceptanceNotice(summary.number) })),
      )
      setPrintables(found.filter((p) => p.notice))
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
      setPrintables([])
    }
  }, [])

  useDidShow(() => {
    void load()
  })
  useEffect(() => {
    void load()
  }, [load])

  async function print(p: Printable) {
    if (!p.notice) return
    setPrinting(p.summary.number)
    setPrinted(null)
    setError(null)
    try {
      await printNotice(p.notice)
      setPrinted(p.summary.number)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e))
    } finally {
      setPrinting(null)
    }
  }

  return (
    <View className='kiosk-menu'>
      <View className='kiosk-who'>
        <View className='kiosk-who-name' role='heading' aria-level={1}>{person.name}，您好</View>
        <Text className='kiosk-who-id'>身份证号 {person.idNumberMasked}</Text>
      </View>
      {filed ? <Filed number={filed} /> : null}
      <View className='kiosk-actions'>
        <Action className='btn kiosk-big' onClick={() => go('search')}>
          办事
        </Action>
        <Action className='btn kiosk-big' onClick={() => go('cases')}>
          我的办件
        </Action>
        <Action className='btn danger kiosk-big' onClick={() => void kiosk.end()}>
          退出
        </Action>
      </View>
      <View className='kiosk-print'>
        <Text className='kiosk-section'>打印受理通知书</Text>
        {error ? (
          <View className='alert kiosk-alert' role='alert'>
            {error}
          </View>
        ) : null}
        {printed ? (
          <View className='ok kiosk-alert' role='status'>
            正在打印 {printed} 的受理通知书，请在出纸口取走。
          </View>
        ) : null}
        {printables === null ? (
          <Text className='kiosk-muted'>正在查找您的办件……</Text>
        ) : printables.length === 0 ? (
          <Text className='kiosk-muted'>暂时没有可以打印的受理通知书（窗口受理办件后才有）。</Text>
        ) : (
          printables.map((p) => (
            <View key={p.summary.number} className='kiosk-case'>
              <View className='kiosk-case-text'>
                <Text className='kiosk-case-name'>{p.summary.name}</Text>
                <Text className='kiosk-case-number'>
                  {p.summary.number} · {p.summary.status_label}
                </Text>
              </View>
              <Action
                className='btn secondary kiosk-case-print'
                disabled={printing !== null ? true : undefined}
                onClick={() => void print(p)}
              >
                {printing === p.summary.number ? '正在打印…' : '打印受理通知书'}
              </Action>
            </View>
          ))
        )}
      </View>
    </View>
  )
}

export default function Kiosk() {
  const [screen, setScreen] = useState<Screen>(() => {
    const person = kiosk.person()
    return person ? { kind: 'menu', person } : { kind: 'starting' }
  })
  const [problem, setProblem] = useState<string | null>(null)
  const alive = useRef(true)
  const filed = params().filed || ''

  // Not a kiosk (the page opened under /m/): the citizens' home instead.
  useEffect(() => {
    if (!isKiosk()) Taro.reLaunch({ url: '/pages/index/index' })
  }, [])

  // The terminal logs in with its stored credential; none stored → the administrator's setup.
  useEffect(() => {
    alive.current = true
    if (screen.kind !== 'starting' || !isKiosk()) return undefined
    if (!terminal.credential()) {
      Taro.redirectTo({ url: '/pages/kiosk-setup/index' })
      return undefined
    }
    terminal
      .token()
      .then(() => alive.current && setScreen({ kind: kiosk.cardLeftBehind() ? 'remove' : 'waiting' }))
      .catch((e) => {
        if (!alive.current) return
        // The network or the server may come back by itself; a refused credential will not.
        const retry = e instanceof ApiError && (e.status === 0 || e.status >= 500)
        setScreen({ kind: 'out', detail: e instanceof ApiError ? e.message : String(e), retry })
      })
    return () => {
      alive.current = false
    }
  }, [screen.kind])

  useEffect(() => {
    if (screen.kind !== 'out' || !screen.retry) return undefined
    const timer = setTimeout(() => setScreen({ kind: 'starting' }), LOGIN_RETRY_MS)
    return () => clearTimeout(timer)
  }, [screen])

  // The idle screen asks the reader for a card every second.
  useEffect(() => {
    if (screen.kind !== 'waiting' && screen.kind !== 'remove') return undefined
    const reader = kioskReader()
    if (!reader) {
      setProblem('本机没有配置身份证读卡器，请联系工作人员。')
      return undefined
    }
    let stopped = false
    let timer: ReturnType<typeof setTimeout> | null = null
    const poll = async () => {
      try {
        const status = await reader.status()
        if (stopped) return
        if (!status.ready) {
          setProblem('读卡器正忙或没有连接好，请稍候；一直这样请联系工作人员。')
        } else if (screen.kind === 'remove') {
          const gone = status.cardPresent === false || (status.cardPresent === null && !(await reader.read()))
          if (gone && !stopped) {
            kiosk.cardTaken()
            setProblem(null)
            setScreen({ kind: 'waiting' })
            return
          }
        } else if (status.cardPresent !== false) {
          setProblem(null)
          const card = await reader.read()
          if (card && !stopped) {
            setScreen({ kind: 'opening' })
            try {
              // This poll's own screen change stopped the polling: the answer still counts.
              const person = await kiosk.start(card)
              setScreen({ kind: 'menu', person })
            } catch (e) {
              kiosk.cardTaken()
              setProblem(e instanceof ApiError ? e.message : String(e))
              // The same card would fail the same way: wait until it is taken off.
              setScreen({ kind: 'remove' })
            }
            return
          }
        } else {
          setProblem(null)
        }
      } catch (e) {
        if (!stopped) setProblem(e instanceof ReaderError ? e.message : String(e))
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS)
    }
    void poll()
    return () => {
      stopped = true
      if (timer) clearTimeout(timer)
    }
  }, [screen.kind])

  return (
    <Page className='kiosk-page'>
      <View className='kiosk-head'>
        <Text className='kiosk-brand'>就近办 · 自助服务</Text>
        {terminal.info() ? <Text className='kiosk-terminal'>{terminal.info()!.name}</Text> : null}
      </View>
      {screen.kind === 'starting' ? <Text className='kiosk-status'>正在启动，请稍候……</Text> : null}
      {screen.kind === 'out' ? (
        <View className='kiosk-idle-screen'>
          <Text className='kiosk-headline'>本机暂停服务</Text>
          <View className='alert kiosk-alert' role='alert'>
            {screen.detail}
          </View>
          <Text className='kiosk-muted'>请到窗口办理，或联系工作人员。</Text>
          <Action className='btn secondary kiosk-admin' onClick={() => Taro.redirectTo({ url: '/pages/kiosk-setup/index' })}>
            管理员：重新设置本机
          </Action>
        </View>
      ) : null}
      {screen.kind === 'waiting' || screen.kind === 'opening' ? (
        <View className='kiosk-idle-screen'>
          <View className='kiosk-card-slot' aria-hidden='true'>
            <View className='kiosk-card-shape'>
              <Text className='kiosk-card-label'>身份证</Text>
            </View>
          </View>
          <View className='kiosk-headline' role='heading' aria-level={1}>{screen.kind === 'opening' ? '正在读取身份证……' : '请将身份证放在读卡区'}</View>
          <Text className='kiosk-muted'>读卡区在屏幕下方，证件平放，不要移动。</Text>
          {problem ? (
            <View className='alert kiosk-alert' role='alert'>
              {problem}
            </View>
          ) : null}
        </View>
      ) : null}
      {screen.kind === 'remove' ? (
        <View className='kiosk-idle-screen'>
          <Text className='kiosk-headline'>请取走您的身份证</Text>
          {problem ? (
            <View className='alert kiosk-alert' role='alert'>
              {problem}
            </View>
          ) : (
            <Text className='kiosk-muted'>已退出，谢谢使用。</Text>
          )}
        </View>
      ) : null}
      {screen.kind === 'menu' ? <Menu person={screen.person} filed={filed} /> : null}
    </Page>
  )
}
