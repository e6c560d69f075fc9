// A citizen's session at the self-service terminal, from the card read to its end.
//
// The session opens when a card is read (the terminal token asks the API for a session token,
// which `session.adopt` keeps in memory). It ends — at the API, in memory and on the screen —
// when the citizen presses 「退出」, when the card is taken off the reader (if the bridge says
// so), when nobody has touched the screen for IDLE_MS plus a visible COUNTDOWN_MS, or when the
// session's time is up. Ending relaunches the kiosk home, which drops every page's state.
import Taro from '@tarojs/taro'
import type { Card } from './idcard'
import { kioskReader } from './idcard'
import { clearPrints } from './print'
import { session } from './session'
import { terminal } from './terminal'

export const IDLE_MS = 60_000
export const COUNTDOWN_MS = 15_000
const TICK_MS = 500
const CARD_CHECK_MS = 1500
/** End a little before the server would, so no request meets a dead token. */
const EXPIRY_MARGIN_MS = 5_000

export const KIOSK_HOME = '/pages/kiosk/index'

export interface Person {
  name: string
  idNumberMasked: string
}

export interface Watch {
  /** A session is open. */
  active: boolean
  /** Seconds left of the countdown shown after IDLE_MS without a touch; null when not shown. */
  secondsLeft: number | null
}

let person: Person | null = null
let expiresAt = 0
let lastTouch = 0
let lastCardCheck = 0
let checkingCard = false
let timer: ReturnType<typeof setInterval> | null = null
let ending: Promise<void> | null = null
let cardLeftBehind = false
let watch: Watch = { active: false, secondsLeft: null }
const listeners = new Set<(w: Watch) => void>()

function publish(next: Watch): void {
  if (next.active === watch.active && next.secondsLeft === watch.secondsLeft) return
  watch = next
  listeners.forEach((f) => f(watch))
}

function onTouch(): void {
  lastTouch = Date.now()
  if (watch.secondsLeft !== null) publish({ active: true, secondsLeft: null })
}

function listen(on: boolean): void {
  if (process.env.TARO_ENV === 'h5') {
    for (const kind of ['pointerdown', 'keydown', 'wheel']) {
      if (on) document.addEventListener(kind, onTouch, { capture: true, passive: true })
      else document.removeEventListener(kind, onTouch, { capture: true })
    }
  }
}

async function checkCard(): Promise<void> {
  const reader = kioskReader()
  if (!reader || checkingCard) return
  checkingCard = true
  try {
    const status = await reader.status()
    if (status.cardPresent === false && person) {
      cardLeftBehind = false
      void kiosk.end()
    }
  } catch {
    // A reader that does not answer says nothing about the card: the idle timer still runs.
  } finally {
    checkingCard = false
  }
}

function tick(): void {
  if (!person) return
  const now = Date.now()
  if (now >= expiresAt - EXPIRY_MARGIN_MS) {
    void kiosk.end()
    return
  }
  const idle = now - lastTouch
  if (idle >= IDLE_MS + COUNTDOWN_MS) {
    void kiosk.end()
    return
  }
  const secondsLeft = idle >= IDLE_MS ? Math.ceil((IDLE_MS + COUNTDOWN_MS - idle) / 1000) : null
  publish({ active: true, secondsLeft })
  if (now - lastCardCheck >= CARD_CHECK_MS) {
    lastCardCheck = now
    void checkCard()
  }
}

function startWatching(): void {
  lastTouch = Date.now()
  lastCardCheck = lastTouch
  if (!timer) timer = setInterval(tick, TICK_MS)
  listen(true)
  publish({ active: true, secondsLeft: null })
}

function stopWatching(): void {
  if (timer) clearInterval(timer)
  timer = null
  listen(false)
  publish({ active: false, secondsLeft: null })
}

export const kiosk = {
  /** The person whose session is open (name and masked number, for the screen), or null. */
  person(): Person | null {
    return person
  },

  /** Opens the session of the card's holder; throws ApiError with the server's detail. */
  async start(card: Card): Promise<Person> {
    const answer = await terminal.openSession({
      name: card.name,
      id_number: card.idNumber,
      reader: { serial: card.serial, read_at: card.readAt },
    })
    session.adopt({
      access_token: answer.access_token,
      token_type: answer.token_type,
      expires_in: answer.expires_in,
      citizen: { id: answer.citizen.id, identity_bound: true },
    })
    person = { name: answer.citizen.name, idNumberMasked: answer.citizen.id_number_masked }
    expiresAt = Date.now() + answer.expires_in * 1000
    cardLeftBehind = true
    startWatching()
    return person
  },

  /** The citizen is still there: the idle time starts again. */
  stillHere(): void {
    onTouch()
  },

  /**
   * Ends the session everywhere and goes back to the kiosk home with every page's state
   * dropped. Safe to call twice; a failed call to the API still forgets everything here
   * (the token dies at its expiry anyway).
   */
  end(): Promise<void> {
    if (ending) return ending
    ending = (async () => {
      stopWatching()
      const token = session.citizenId() ? await session.token() : null
      // The screen is cleared first, whatever the network does.
      session.forget()
      person = null
      expiresAt = 0
      clearPrints()
      await Taro.reLaunch({ url: KIOSK_HOME })
      if (token) {
        try {
          await terminal.endSession(token)
        } catch {
          // Already ended or expired at the server, or the network is down: the token dies at
          // its expiry (at most TERMINAL_SESSION_TTL) and nothing here holds it any more.
        }
      }
    })().finally(() => {
      ending = null
    })
    return ending
  },

  /** After a session, the card may still lie on the reader: it is not read again until taken off. */
  cardLeftBehind(): boolean {
    return cardLeftBehind
  },

  cardTaken(): void {
    cardLeftBehind = false
  },

  /** The idle watch (for the countdown shown on every kiosk page). */
  watch(): Watch {
    return watch
  },

  onWatch(f: (w: Watch) => void): () => void {
    listeners.add(f)
    return () => listeners.delete(f)
  },

  /** After filing a case at the kiosk: show 「已提交」 with its number on the kiosk home. */
  filed(number: string): void {
    Taro.reLaunch({ url: `${KIOSK_HOME}?filed=${encodeURIComponent(number)}` })
  },
}
