// Opening a PDF the API serves only with the citizen's token (a notice of a case): downloaded
// with the bearer token, then opened — by WeChat's document viewer in the mini-program, as a
// download of the browser on the H5.
import Taro from '@tarojs/taro'
import { ApiError, NETWORK_TEXT, url } from '../api/client'
import { isH5, isWeapp } from './platform'
import { session } from './session'

/** Downloads ``path`` (an API path) and opens it; ``name`` is the file's name without `.pdf`. */
export async function openPdf(path: string, name: string): Promise<void> {
  const token = await session.token()
  let answer: Taro.downloadFile.FileSuccessCallbackResult
  try {
    answer = await Taro.downloadFile({
      url: url(path),
      header: token ? { Authorization: `Bearer ${token}` } : {},
    })
  } catch {
    throw new ApiError(0, { detail: NETWORK_TEXT, code: 'network' })
  }
  if (answer.statusCode !== 200) {
    throw new ApiError(answer.statusCode, { detail: `文书没有下载成功（${answer.statusCode}），请稍后再试。` })
  }
  if (isWeapp) {
    await Taro.openDocument({ filePath: answer.tempFilePath, fileType: 'pdf', showMenu: true })
    return
  }
  if (isH5) {
    const link = document.createElement('a')
    link.href = answer.tempFilePath
    link.download = `${name}.pdf`
    link.rel = 'noopener'
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(answer.tempFilePath), 60000)
  }
}
