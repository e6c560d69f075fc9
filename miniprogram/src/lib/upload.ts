// Photos of materials: taken with the camera or picked from the album, made smaller on the
// phone (a 12-megapixel photo is 3–5 MB; 1600 px on the long side at JPEG quality 0.8 is about
// 300 KB and still legible), then uploaded with progress. Used by the application form and the
// supplement answer.
import Taro from '@tarojs/taro'
import { ApiError, NETWORK_TEXT, url } from '../api/client'
import type { UploadCreated } from '../api/types'
import { session } from './session'

const LONG_SIDE = 1600
const QUALITY = 0.8

/** Asks for photos (camera or album) and answers their local paths; [] when cancelled. */
export async function choosePhotos(count = 1): Promise<string[]> {
  try {
    const picked = await Taro.chooseImage({ count, sizeType: ['compressed'], sourceType: ['camera', 'album'] })
    return picked.tempFilePaths
  } catch {
    return []
  }
}

function loadImage(src: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('image'))
    img.src = src
  })
}

/** A smaller copy of the photo at ``path`` (the same path when it cannot be made smaller). */
export function compress(path: string): Promise<string> {
  // A call behind a constant test: the build drops the browser's version from the mini-program.
  return process.env.TARO_ENV === 'h5' ? compressInBrowser(path) : compressInWeChat(path)
}

async function compressInWeChat(path: string): Promise<string> {
  try {
    return (await Taro.compressImage({ src: path, quality: Math.round(QUALITY * 100) })).tempFilePath
  } catch {
    return path
  }
}

async function compressInBrowser(path: string): Promise<string> {
  try {
    const img = await loadImage(path)
    const ratio = Math.min(1, LONG_SIDE / Math.max(img.naturalWidth, img.naturalHeight))
    const canvas = document.createElement('canvas')
    canvas.width = Math.round(img.naturalWidth * ratio)
    canvas.height = Math.round(img.naturalHeight * ratio)
    canvas.getContext('2d')!.drawImage(img, 0, 0, canvas.width, canvas.height)
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY))
    return blob ? URL.createObjectURL(blob) : path
  } catch {
    return path
  }
}

/** Uploads one material photo; ``onProgress`` gets 0–100. */
export async function uploadPhoto(
  path: string,
  materialType: string,
  onProgress: (percent: number) => void = () => undefined,
): Promise<UploadCreated> {
  const small = await compress(path)
  const token = await session.token()
  return new Promise((resolve, reject) => {
    const task = Taro.uploadFile({
      url: url('/api/v1/uploads'),
      filePath: small,
      name: 'file',
      formData: { material_type: materialType },
      header: token ? { Authorization: `Bearer ${token}` } : {},
      success: (answer) => {
        let data: unknown = null
        try {
          data = JSON.parse(answer.data)
        } catch {
          data = null
        }
        if (answer.statusCode >= 200 && answer.statusCode < 300 && data) resolve(data as UploadCreated)
        else reject(new ApiError(answer.statusCode, (data as object) || {}))
      },
      fail: () => reject(new ApiError(0, { detail: NETWORK_TEXT, code: 'network' })),
    })
    task.progress((p) => onProgress(p.progress))
  })
}
