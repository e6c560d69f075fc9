import { Text, Textarea, View } from '@tarojs/components'
import Action from '../../components/Action'
import Taro, { useLoad } from '@tarojs/taro'
import { PropsWithChildren, useRef, useState } from 'react'
import { api, ApiError, newActionKey } from '../../api/client'
import type { DeletionReceipt, PersonalDataExport } from '../../api/types'
import Page from '../../components/Page'
import { InlineConfirm } from '../../lib/confirm'
import { useElder } from '../../lib/elder'
import { isWeapp } from '../../lib/platform'
import './index.css'

const ACTIONS: Record<string, string> = {
  read_id_number: '查看了完整身份证号码',
  read_form_field: '查看了办件表单中的完整号码',
  export_personal_data: '导出了个人信息副本',
}
const ACTORS: Record<string, string> = { citizen: '本人', staff: '工作人员', system: '系统' }
const CASE_STATUS: Record<string, string> = {
  submitted: '已提交',
  queued: '排队待受理',
  awaiting_supplement: '待补正',
  accepted: '已受理',
  in_review: '审批中',
  approved: '已批准',
  denied: '未批准',
  rejected: '不予受理',
  result_ready: '可领取结果',
  delivered: '已办结',
  withdrawn: '已撤回',
}
const MANDATE_STATUS: Record<string, string> = {
  pending: '等您确认',
  active: '已授权',
  refused: '已拒绝',
  revoked: '已撤销',
  expired: '已过期',
}
const DELETION_STATUS: Record<string, string> = {
  pending: '等待管理员处理',
  approved: '已同意，即将删除',
  refused: '未同意',
  completed: '已删除',
}
const FILE_NAME = 'jiujinban-personal-data.json'

function shanghai(iso: string | null | undefined): string {
  if (!iso) return ''
  const t = new Date(new Date(iso).getTime() + 8 * 3600 * 1000)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`
}

function Section({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <View className='card privacy-section' aria-label={title}>
      <Text className='subtitle privacy-section-title'>{title}</Text>
      {children}
    </View>
  )
}

function Line({ label, value }: { label: string; value: string }) {
  return (
    <View className='privacy-line'>
      <Text className='muted privacy-label'>{label}</Text>
      <Text className='privacy-value'>{value}</Text>
    </View>
  )
}

/** Keeps the copy on the phone: a download on H5, a file sent to a chat (e.g. 文件传输助手) on weapp. */
async function saveCopy(data: PersonalDataExport): Promise<string> {
  const text = JSON.stringify(data, null, 2)
  // BUILD_PLATFORM (not isH5) so the weapp build drops this branch entirely.
  if (BUILD_PLATFORM === 'h5') {
    const blob = new Blob([text], { type: 'application/json' })
    const link = document.createElement('a')
    link.href = URL.createObjectURL(blob)
    link.download = FILE_NAME
    document.body.appendChild(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 10000)
    return `已下载文件 ${FILE_NAME}。文件里有您的完整身份证号码，请妥善保管。`
  }
  if (isWeapp) {
    const dir = (Taro as unknown as { env: { USER_DATA_PATH: string } }).env.USER_DATA_PATH
    const path = `${dir}/${FILE_NAME}`
    Taro.getFileSystemManager().writeFileSync(path, text, 'utf8')
    await Taro.shareFileMessage({ filePath: path, fileName: FILE_NAME })
    return '已把文件发到您选的聊天里（可选“文件传输助手”）。文件里有您的完整身份证号码，请妥善保管。'
  }
  return ''
}

export default function Privacy() {
  const elder = useElder()
  const [data, setData] = useState<PersonalDataExport | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [asking, setAsking] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [receipt, setReceipt] = useState<DeletionReceipt | null>(null)
  const [more, setMore] = useState(false)
  const key = useRef<string | null>(null)

  useLoad(() => {
    api
      .get<PersonalDataExport>('/api/v1/me/export')
      .then(setData)
      .catch((e: ApiError) => setError(e.message))
  })

  async function save() {
    if (!data) return
    try {
      setSaved(await saveCopy(data))
    } catch {
      setSaved('没有保存。需要时请再点一次“保存一份”。')
    }
  }

  async function requestDeletion() {
    if (!key.current) key.current = newActionKey()
    setBusy(true)
    setError(null)
    try {
      const body = reason.trim() ? { reason: reason.trim() } : undefined
      setReceipt(await api.post<DeletionReceipt>('/api/v1/me/deletion-request', body, key.current))
      setAsking(false)
    } catch (e) {
      const err = e as ApiError
      if (err.status > 0) key.current = null
      setError(err.message)
    } finally {
      setBusy(false)
    }
  }

  const showAll = !elder.on || more
  const profile = data?.profile

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>个人信息</View>
      <Text className='muted privacy-intro'>这里是“就近办”保存的关于您的全部信息。</Text>
      {data === null && !error ? <Text className='muted'>正在读取…</Text> : null}
      {data && profile ? (
        <View>
          <Section title='基本信息'>
            <Line label='姓名' value={profile.name || '未登记'} />
            <Line label='身份证号码' value={profile.id_number_masked || '未登记'} />
            {profile.birth_year ? (
              <Line
                label='出生年份、性别'
                value={`${profile.birth_year} 年，${profile.sex === 'male' ? '男' : profile.sex === 'female' ? '女' : '未知'}`}
              />
            ) : null}
            <Line label='所在村（社区）代码' value={profile.village_code || '未登记'} />
            <Line label='身份核验' value={profile.identity_verified ? `已核验 ${shanghai(profile.verified_at)}` : '未核验'} />
            <Line label='手机号' value={data.phone?.masked || '未绑定'} />
            <Line
              label='同意的告知书'
              value={data.consent.version ? `版本 ${data.consent.version}，${shanghai(data.consent.consented_at)}` : '无'}
            />
            <Text className='small muted privacy-note'>为防旁人看到，这里只显示部分号码；“保存一份”的文件里有完整号码。</Text>
          </Section>

          <Section title={`我的办件（${data.cases.length}）`}>
            {data.cases.length === 0 ? <Text className='muted'>没有办件。</Text> : null}
            {data.cases.map((c) => (
              <Line key={c.number} label={c.number} value={`${CASE_STATUS[c.status] || c.status} · ${shanghai(c.created_at)}`} />
            ))}
          </Section>

          {showAll ? (
            <View>
              <Section title={`代办授权（${data.mandates.length}）`}>
                {data.mandates.length === 0 ? <Text className='muted'>没有代办授权。</Text> : null}
                {data.mandates.map((m) => (
                  <Line
                    key={m.id}
                    label={MANDATE_STATUS[m.status] || m.status}
                    value={`${(m.bundle_code ? [m.bundle_code] : m.item_codes).join('、')}，到 ${m.expires_on}`}
                  />
                ))}
              </Section>
              <Section title={`上传的照片（${data.uploads.length}）`}>
                {data.uploads.length === 0 ? <Text className='muted'>没有上传过照片。</Text> : null}
                {data.uploads.map((u) => (
                  <Line key={u.id} label={u.material_type} value={`${Math.ceil(u.size / 1024)} KB · ${shanghai(u.created_at)}`} />
                ))}
              </Section>
              <Section title='微信账号'>
                <Line label='登录用的微信账号' value={`${Math.max(data.wechat.accounts.length, data.wechat.openid ? 1 : 0)} 个`} />
              </Section>
              <Section title={`谁查看过我的信息（${data.access_records.length}）`}>
                {data.access_records.length === 0 ? <Text className='muted'>没有查看记录。</Text> : null}
                {data.access_records.map((r, i) => (
                  <View key={i} className='privacy-record'>
                    <Text className='privacy-value'>
                      {shanghai(r.at)} {ACTORS[r.actor_kind] || r.actor_kind}
                      {ACTIONS[r.action] || r.action}
                    </Text>
                    {r.reason ? <Text className='small muted privacy-value'>理由：{r.reason}</Text> : null}
                  </View>
                ))}
              </Section>
              {data.deletion_requests.length ? (
                <Section title='删除申请'>
                  {data.deletion_requests.map((d) => (
                    <Line key={d.id} label={shanghai(d.requested_at)} value={DELETION_STATUS[d.status] || d.status} />
                  ))}
                </Section>
              ) : null}
            </View>
          ) : (
            <Action className='btn secondary block privacy-more' onClick={() => setMore(true)}>
              更多（授权、照片、查看记录）
            </Action>
          )}

          <View className='card'>
            <Action className='btn block' onClick={save}>
              保存一份
            </Action>
            <Text className='small muted privacy-note'>
              {isWeapp ? '生成一个文件，发到您选的聊天里（如“文件传输助手”）。' : '下载一个文件到这台手机。'}
            </Text>
            {saved ? (
              <View className='ok privacy-saved' role='status'>
                {saved}
              </View>
            ) : null}
          </View>
        </View>
      ) : null}

      <View className='card'>
        <Text className='subtitle privacy-section-title'>申请删除我的个人信息</Text>
        {receipt ? (
          <View role='status'>
            <View className='ok'>{receipt.detail}</View>
            <Text className='label'>将会删除：</Text>
            {receipt.will_delete.map((d) => (
              <Text key={d} className='privacy-bullet'>
                · {d}
              </Text>
            ))}
            <Text className='label privacy-keep-title'>依法还要保存：</Text>
            {receipt.will_keep.map((k) => (
              <View key={k.data} className='privacy-keep'>
                <Text className='privacy-value privacy-strong'>{k.data}</Text>
                <Text className='privacy-value'>保存 {k.retention}</Text>
                <Text className='small muted privacy-value'>原因：{k.basis}</Text>
              </View>
            ))}
          </View>
        ) : asking ? (
          <View>
            <Text className='label' id='privacy-reason-label'>
              原因（可以不填）
            </Text>
            <Textarea
              className='input privacy-reason'
              value={reason}
              maxlength={200}
              aria-labelledby='privacy-reason-label'
              onInput={(e) => setReason(e.detail.value)}
            />
            <InlineConfirm
              question='提交后由管理员处理。删除后不能再用这个账号查办件；依法必须保存的办件档案会继续保存。确定申请删除吗？'
              yes='确定申请删除'
              no='不删除了'
              danger
              busy={busy}
              onYes={requestDeletion}
              onNo={() => setAsking(false)}
            />
          </View>
        ) : (
          <View>
            <Text className='muted privacy-note'>
              删除前，还没办完的办件需要先办完。依法必须保存的办件档案和查看记录会继续保存一段时间，只保存、不使用。
            </Text>
            <Action className='btn danger block' onClick={() => setAsking(true)}>
              申请删除
            </Action>
          </View>
        )}
      </View>
    </Page>
  )
}
