// Printing on the self-service terminal: a case's 受理通知书 (acceptance notice) is fetched as a
// PDF with the citizen's session token, put in a hidden frame as a blob and printed from there
// (the kiosk's browser prints silently to its printer). The frames are removed when the
// session ends, so no notice stays in the page.
import { ApiError, api, NETWORK_TEXT, url } from '../api/client'
import type { NoticeForCitizen } from '../api/types'
import { session } from './session'

const NO_NOTICE = '这件办件还没有受理通知书：窗口受理后才能打印。'
const NOT_HERE = '这里不能打印，请到自助终端或窗口打印。'

const frames: { frame: HTMLIFrameElement; blobUrl: string }[] = []

/** The case's acceptance notice, or null when it has none yet. */
export async function acceptanceNotice(number: string): Promise<NoticeForCitizen | null> {
  const notices = await api.get<NoticeForCitizen[]>(`/api/v1/cases/${encodeURIComponent(number)}/notices`)
  return notices.find((n) => n.kind === 'acceptance') || null
}

async function pdfBlob(path: string): Promise<Blob> {
  if (process.env.TARO_ENV === 'h5') {
    const token = await session.token()
    let response: Response
    try {
      response = await fetch(url(path), { headers: token ? { Authorization: `Bearer ${token}` } : {} })
    } catch {
      throw new ApiError(0, { detail: NETWORK_TEXT, code: 'network' })
    }
    if (!response.ok) {
      let problem = {}
      try {
        problem = await response.json()
      } catch {
        problem = {}
      }
      throw new ApiError(response.status, problem)
    }
    return response.blob()
  }
  throw new ApiError(0, { detail: NOT_HERE, code: 'not_here' })
}

/** Prints the notice's PDF from a hidden frame; resolves once the print was asked for. */
export async function printNotice(notice: NoticeForCitizen): Promise<void> {
  const blob = await pdfBlob(notice.pdf_path)
  if (process.env.TARO_ENV === 'h5') {
    const blobUrl = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }))
    const frame = document.createElement('iframe')
    frame.className = 'jjb-print-frame'
    frame.setAttribute('aria-hidden', 'true')
    frame.setAttribute('title', notice.title)
    frame.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;border:0;opacity:0;'
    frames.push({ frame, blobUrl })
    await new Promise<void>((resolve) => {
      frame.onload = () => {
        try {
          frame.contentWindow?.focus()
          frame.contentWindow?.print()
        } finally {
          resolve()
        }
      }
      frame.src = blobUrl
      document.body.appendChild(frame)
    })
  }
}

/** Prints the 受理通知书 of case ``number``; throws ApiError (its message fit to show) otherwise. */
export async function printAcceptanceNotice(number: string): Promise<void> {
  const notice = await acceptanceNotice(number)
  if (!notice) throw new ApiError(404, { detail: NO_NOTICE, code: 'notice_not_ready' })
  await printNotice(notice)
}

/** Removes every print frame and its blob (at the end of a kiosk session). */
export function clearPrints(): void {
  if (process.env.TARO_ENV === 'h5') {
    for (const { frame, blobUrl } of frames.splice(0)) {
      frame.remove()
      URL.revokeObjectURL(blobUrl)
    }
  }
}
