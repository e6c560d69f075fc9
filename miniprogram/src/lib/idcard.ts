// The kiosk's ID-card reader. The browser cannot reach a USB reader, so each terminal runs a
// small local bridge in front of the vendor's SDK (docs/terminals.md, "The reader bridge");
// the kiosk page's <meta name="jjb-reader"> gives its address. Any reader is used through the
// `CardReader` interface below, so another vendor's bridge fits the same two calls.
//
// What was read stays in memory for the moment it takes to open the session: only the name,
// the number and the reader's serial are sent on, and nothing of the card is ever stored.

export interface ReaderStatus {
  /** The reader is plugged in and free. */
  ready: boolean
  serial: string
  /** Whether a card lies on the reader; null when the bridge does not say. */
  cardPresent: boolean | null
}

export interface Card {
  name: string
  idNumber: string
  serial: string
  /** When it was read (ISO 8601 with offset). */
  readAt: string
}

export interface CardReader {
  status(): Promise<ReaderStatus>
  /** The card on the reader, or null when there is none. */
  read(): Promise<Card | null>
}

export class ReaderError extends Error {}

const NOT_READY = '读卡器没有连接好，请联系工作人员。'

/** The reader bridge's base address from the kiosk page, or '' when the page names none. */
export function readerUrl(): string {
  if (process.env.TARO_ENV === 'h5') {
    const meta = document.querySelector('meta[name="jjb-reader"]')
    return (meta?.getAttribute('content') || '').replace(/\/+$/, '')
  }
  return ''
}

/** ISO 8601 local time with its offset (the reader's clock is the kiosk's). */
function isoWithOffset(at: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0')
  const offset = -at.getTimezoneOffset()
  const sign = offset >= 0 ? '+' : '-'
  return (
    `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}` +
    `T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  )
}

/** The HTTP bridge of docs/terminals.md: GET /status, POST /read. */
export function bridgeReader(base: string): CardReader {
  async function call(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    if (process.env.TARO_ENV === 'h5') {
      let response: Response
      try {
        // No body and no custom header: a simple request, no preflight needed.
        response = await fetch(`${base}${path}`, { method, cache: 'no-store' })
      } catch {
        throw new ReaderError(NOT_READY)
      }
      let body: Record<string, unknown> = {}
      try {
        body = (await response.json()) as Record<string, unknown>
      } catch {
        body = {}
      }
      return { status: response.status, body }
    }
    throw new ReaderError(NOT_READY)
  }

  return {
    async status() {
      const { status, body } = await call('GET', '/status')
      if (status !== 200) throw new ReaderError(NOT_READY)
      const present = body.card_present
      return {
        ready: body.ready === true,
        serial: String(body.serial || ''),
        cardPresent: typeof present === 'boolean' ? present : null,
      }
    },
    async read() {
      const { status, body } = await call('POST', '/read')
      if (status === 404) return null
      if (status !== 200 || typeof body.name !== 'string' || typeof body.id_number !== 'string') {
        throw new ReaderError('没有读出这张身份证，请把证件平放在读卡区再试一次。')
      }
      return {
        name: body.name,
        idNumber: body.id_number,
        serial: String(body.serial || ''),
        readAt: isoWithOffset(new Date()),
      }
    },
  }
}

let configured: CardReader | null = null

/** This kiosk's reader (the bridge named by the page), or null when the page names none. */
export function kioskReader(): CardReader | null {
  if (!configured) {
    const base = readerUrl()
    if (base) configured = bridgeReader(base)
  }
  return configured
}
