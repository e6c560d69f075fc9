import Taro from '@tarojs/taro'
import { Image, Input, Text, View } from '@tarojs/components'
import { useEffect, useRef, useState } from 'react'
import { api, ApiError, mayBeDone, newActionKey } from '../../api/client'
import type {
  AreaPage,
  BundleDetail,
  CaseForCitizen,
  CaseSubmission,
  FormField,
  ItemDetail,
  LaterItem,
  Me,
  NearbyPage,
  NearbyPoint,
} from '../../api/types'
import Action from '../../components/Action'
import Page from '../../components/Page'
import { checkField, checkForm, formBody, type FormErrors } from '../../lib/formrules'
import { channelWords, DELIVERY_WORDS, filesOnline, materialWords, type DeliveryMethod } from '../../lib/itemwords'
import { go, params } from '../../lib/nav'
import { isKiosk } from '../../lib/platform'
import { askAfterSubmit, prepareSubscriptions } from '../../lib/subscribe'
import { choosePhotos, uploadPhoto } from '../../lib/upload'
import './index.css'

type Material = ItemDetail['materials'][number]

/** What is being applied for, as this channel files it. */
interface Target {
  kind: 'item' | 'bundle'
  code: string
  name: string
  fields: FormField[]
  materials: Material[]
  delivery: DeliveryMethod[]
  /** Bundle items the mini-program cannot file (done elsewhere afterwards). */
  laterNames: string[]
}

interface Photo {
  key: number
  path: string
  progress: number
  uploadId?: string
  failed?: string
}

type Step = 1 | 2 | 3

const STEP_NAMES = ['填写申请表', '上传材料照片', '拿结果方式和提交']
const MAX_TEXT = 500

async function loadTarget(item: string, bundle: string): Promise<Target> {
  if (item) {
    const d = await api.get<ItemDetail>(`/api/v1/items/${encodeURIComponent(item)}`, undefined, true)
    if (!filesOnline(d.channels)) throw new ApiError(409, { detail: `“${d.name}”不能在手机上申请，请到窗口办理或请村社代办员代办。` })
    return { kind: 'item', code: d.code, name: d.name, fields: d.form, materials: d.materials, delivery: d.delivery_methods, laterNames: [] }
  }
  const b = await api.get<BundleDetail>(`/api/v1/bundles/${encodeURIComponent(bundle)}`, undefined, true)
  const now = b.items.filter((i) => filesOnline(i.channels))
  if (!now.length) throw new ApiError(409, { detail: `“${b.name}”不能在手机上申请，请到窗口办理或请村社代办员代办。` })
  const details = await Promise.all(now.map((i) => api.get<ItemDetail>(`/api/v1/items/${encodeURIComponent(i.code)}`, undefined, true)))
  const names = new Set(details.flatMap((d) => d.form.map((f) => f.name)))
  const codes = new Set(now.map((i) => i.code))
  const delivery = details
    .map((d) => d.delivery_methods)
    .reduce((all, some) => all.filter((m) => some.includes(m)))
  return {
    kind: 'bundle',
    code: b.code,
    name: b.name,
    fields: b.form.filter((f) => names.has(f.name)),
    materials: b.materials.filter((m) => m.item_codes.some((c) => codes.has(c))),
    delivery,
    laterNames: b.items.filter((i) => !codes.has(i.code)).map((i) => i.name),
  }
}

function inputType(f: FormField): 'text' | 'number' | 'idcard' | 'digit' {
  if (f.datatype === 'id_number') return 'idcard'
  if (f.datatype === 'phone') return 'number'
  if (f.datatype === 'number') return 'digit'
  return 'text'
}

function hintOf(f: FormField): string {
  if (f.pattern_hint) return f.pattern_hint
  if (f.datatype === 'date') return '按“年-月-日”填写，例如 2026-01-31'
  if (f.datatype === 'id_number') return '18 位，最后一位可能是 X'
  if (f.datatype === 'phone') return '11 位手机号'
  return ''
}

function missingOf(problem: ApiError['problem']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of problem.missing || []) {
    if (typeof m === 'string') out[m] = `还缺“${m}”，请上传照片`
    else out[m.type] = `还缺“${m.name}”，请上传照片`
  }
  return out
}

function errorsOf(problem: ApiError['problem']): FormErrors {
  const out: FormErrors = {}
  for (const e of problem.errors || []) if (typeof e !== 'string') out[e.field] = e.message
  return out
}

let photoKeys = 0

/** How long after leaving a field its check waits (see the field's onBlur). */
const BLUR_CHECK_DELAY_MS = 400

export default function Apply() {
  const query = params()
  const [target, setTarget] = useState<Target | null>(null)
  const [me, setMe] = useState<Me | null>(null)
  const [error, setError] = useState<string | null>(query.item || query.bundle ? null : '没有指定要申请的事项，请回到上一页重新选择。')
  const [step, setStep] = useState<Step>(1)
  const [values, setValues] = useState<Record<string, string>>({})
  const [errors, setErrors] = useState<FormErrors>({})
  const [photos, setPhotos] = useState<Record<string, Photo[]>>({})
  const [missing, setMissing] = useState<Record<string, string>>({})
  const [method, setMethod] = useState<DeliveryMethod | ''>('')
  const [address, setAddress] = useState('')
  const [addressError, setAddressError] = useState('')
  const [points, setPoints] = useState<NearbyPoint[] | null>(null)
  const [choosePoint, setChoosePoint] = useState(false)
  const [pointId, setPointId] = useState('')
  const [sending, setSending] = useState(false)
  const [done, setDone] = useState<{ number: string; later: LaterItem[] } | null>(null)
  // One key for this submission: every retry of it (after a network failure, a 5xx, or while
  // the first try still runs) sends the same key, so the server files it once. A definite
  // answer from the server ends the attempt.
  const keyRef = useRef(newActionKey())

  useEffect(() => {
    // The mini-program asks for progress-message consent inside the 提交 tap (WeChat allows the
    // request only there): fetch the templates now so the tap does not wait for them.
    prepareSubscriptions()
  }, [])

  useEffect(() => {
    if (!query.item && !query.bundle) return
    Promise.all([loadTarget(query.item || '', query.bundle || ''), api.get<Me>('/api/v1/me')])
      .then(([t, who]) => {
        setTarget(t)
        setMe(who)
        if (t.delivery.length) setMethod(t.delivery[0])
      })
      .catch((e: ApiError) => setError(e.message))
  }, [])

  useEffect(() => {
    // The service point may be chosen from those near the citizen's village (items only; the
    // server picks by village when none is chosen).
    if (!choosePoint || points !== null || !target || target.kind !== 'item' || !me?.village_code) return
    const village = me.village_code
    api
      .get<AreaPage>('/api/v1/areas', { level: 'village', parent: village.slice(0, 9), page_size: 100 }, true)
      .then((p) => {
        const here = p.items.find((a) => a.code === village)
        if (!here || here.lat === null || here.lng === null) return { items: [], total: 0 }
        return api.get<NearbyPage>('/api/v1/service-points/nearby', { lat: here.lat, lng: here.lng, item: target.code, mode: 'car', within_minutes: 60 }, true)
      })
      .then((p) => setPoints(p.items))
      .catch(() => setPoints([]))
  }, [choosePoint, target, me])

  if (!target || !me) {
    return <Page error={error}>{error ? null : <View className='notice'>正在准备申请表……</View>}</Page>
  }

  if (!me.identity_bound) {
    return (
      <Page error={error}>
        <View className='title' role='heading' aria-level={1}>申请“{target.name}”</View>
        <View className='notice' role='note'>
          申请前要先做一次实名登记（姓名和身份证号），办件会登记在您的名下。登记好后回到这里继续。
        </View>
        <Action
          className='block'
          onClick={() => go('bind', { next: 'apply', item: query.item || undefined, bundle: query.bundle || undefined })}
        >
          去实名登记
        </Action>
      </Page>
    )
  }

  if (done) {
    return (
      <Page>
        <View className='title' role='heading' aria-level={1}>申请已提交</View>
        <View className='ok' role='status'>
          办件编号 {done.number}。下面 {done.later.length} 个事项手机上不能办，还须另行办理：
        </View>
        <View className='card'>
          {done.later.map((l) => (
            <View key={l.item_code} className='apply-later'>
              <Text className='apply-later-name'>{l.item_name}</Text>
              <Text className='apply-line'>可以去：{channelWords(l.channels)}</Text>
              {l.materials.length ? <Text className='apply-line'>要带：{l.materials.join('、')}</Text> : null}
              <Text className='apply-line muted'>{l.advice}</Text>
            </View>
          ))}
        </View>
        <Action className='block' onClick={() => go('case', { number: done.number })}>
          查看办件进度
        </Action>
      </Page>
    )
  }

  const t = target
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }))

  function clearError(name: string) {
    setErrors((e) => {
      const next = { ...e }
      delete next[name]
      return next
    })
  }

  function checkOne(f: FormField) {
    const message = checkField(f, values[f.name])
    setErrors((e) => {
      const next = { ...e }
      if (message) next[f.name] = message
      else delete next[f.name]
      return next
    })
  }

  function toMaterials() {
    const found = checkForm(t.fields, values)
    setErrors(found)
    if (Object.keys(found).length) {
      setError(`申请表还有 ${Object.keys(found).length} 处要改，请看标红的说明。`)
      return
    }
    setError(null)
    setStep(2)
  }

  function update(type: string, key: number, change: Partial<Photo>) {
    setPhotos((all) => ({ ...all, [type]: (all[type] || []).map((p) => (p.key === key ? { ...p, ...change } : p)) }))
  }

  async function addPhotos(m: Material) {
    const paths = await choosePhotos(3)
    for (const path of paths) {
      const key = ++photoKeys
      setPhotos((all) => ({ ...all, [m.type]: [...(all[m.type] || []), { key, path, progress: 0 }] }))
      setMissing((all) => {
        const next = { ...all }
        delete next[m.type]
        return next
      })
      uploadPhoto(path, m.type, (progress) => update(m.type, key, { progress }))
        .then((created) => update(m.type, key, { uploadId: created.id, progress: 100 }))
        .catch((e: ApiError) => update(m.type, key, { failed: e.message }))
    }
  }

  function removePhoto(type: string, key: number) {
    setPhotos((all) => ({ ...all, [type]: (all[type] || []).filter((p) => p.key !== key) }))
  }

  const uploading = Object.values(photos).some((list) => list.some((p) => !p.uploadId && !p.failed))

  function toDelivery() {
    if (uploading) {
      setError('照片还在上传，请等进度条走完再继续。')
      return
    }
    const lacking: Record<string, string> = {}
    for (const m of t.materials) {
      const has = (photos[m.type] || []).some((p) => p.uploadId)
      if (m.required && !m.exempt_if_shared && !has) lacking[m.type] = `还缺“${m.name}”，请上传照片`
    }
    setMissing(lacking)
    if (Object.keys(lacking).length) {
      setError(`还有 ${Object.keys(lacking).length} 样材料没有上传，请看标红的说明。`)
      return
    }
    setError(null)
    setStep(3)
  }

  async function submit() {
    if (sending) return
    if (method === 'mail' && !address.trim()) {
      setAddressError('选择邮寄时须填写收件地址。')
      return
    }
    setAddressError('')
    const body: CaseSubmission = {
      ...(t.kind === 'item' ? { item_code: t.code } : { bundle_code: t.code }),
      form: formBody(t.fields, values),
      materials: Object.entries(photos).flatMap(([type, list]) =>
        list.filter((p) => p.uploadId).map((p) => ({ type, upload_id: p.uploadId as string })),
      ),
      delivery: method === 'mail' ? { method, address: address.trim() } : { method: method || 'window' },
      ...(pointId ? { service_point_id: pointId } : {}),
    }
    setSending(true)
    setError(null)
    const consent = askAfterSubmit() // before the first await: still inside the tap
    try {
      const answer = await api.post<CaseForCitizen>('/api/v1/cases', body, keyRef.current)
      keyRef.current = newActionKey()
      await consent
      // A self-service terminal shows 「已提交」 on its own home (lib/kiosk.ts), the number there.
      if (isKiosk()) Taro.reLaunch({ url: `/pages/kiosk/index?filed=${encodeURIComponent(answer.number)}` })
      else if (answer.later.length) setDone({ number: answer.number, later: answer.later })
      else go('case', { number: answer.number })
    } catch (e) {
      const failure = e as ApiError
      if (failure.status === 0) {
        setError('网络不太稳定，申请还没有送到。请检查网络后再点一次“提交申请”，不会重复提交。')
        return
      }
      if (mayBeDone(failure)) {
        setError(`${failure.message}再点一次“提交申请”不会重复提交。`)
        return
      }
      keyRef.current = newActionKey()
      setError(failure.message)
      if (failure.code === 'materials_missing') {
        setMissing(missingOf(failure.problem))
        setStep(2)
      } else if (failure.code === 'form_invalid') {
        setErrors(errorsOf(failure.problem))
        setStep(1)
      } else if (failure.code === 'identity_not_bound') {
        setMe({ ...me!, identity_bound: false })
      }
    } finally {
      setSending(false)
    }
  }

  return (
    <Page error={error}>
      <View className='title' role='heading' aria-level={1}>申请“{t.name}”</View>
      <Text className='apply-steps'>
        第 {step} 步，共 3 步：{STEP_NAMES[step - 1]}
      </Text>
      {t.laterNames.length && step === 1 ? (
        <View className='notice' role='note'>
          手机上先申请其中能办的事项；{t.laterNames.join('、')}须另行办理，提交后会告诉您到哪里办。
        </View>
      ) : null}

      {step === 1 ? (
        <View className='card'>
          {!t.fields.length ? <Text>这件事不用填表，请直接下一步。</Text> : null}
          {t.fields.map((f) => (
            <View key={f.name} className='field'>
              <Text className='label' id={`apply-label-${f.name}`}>
                {f.label}
                <Text className={f.required ? 'apply-required' : 'apply-optional'}>{f.required ? '（必填）' : '（可不填）'}</Text>
              </Text>
              {f.datatype === 'choice' ? (
                <View className='apply-choices' role='radiogroup' aria-labelledby={`apply-label-${f.name}`}>
                  {f.values.map((v) => (
                    <View
                      key={v}
                      className={`btn ${values[f.name] === v ? '' : 'secondary'}`}
                      role='radio'
                      aria-checked={values[f.name] === v}
                      onClick={() => {
                        set(f.name, v)
                        clearError(f.name)
                      }}
                    >
                      {values[f.name] === v ? `✓ ${v}` : v}
                    </View>
                  ))}
                </View>
              ) : (
                <Input
                  className='input'
                  type={inputType(f)}
                  value={values[f.name] || ''}
                  maxlength={f.max_length ?? MAX_TEXT}
                  aria-labelledby={`apply-label-${f.name}`}
                  placeholder={`请填写${f.label}`}
                  onInput={(e) => {
                    set(f.name, e.detail.value)
                    // A corrected value loses its red line while typing, not when the finger is
                    // already on the next button.
                    if (errors[f.name] && !checkField(f, e.detail.value)) clearError(f.name)
                  }}
                  // Checked a moment after leaving the field: a red line appearing or going at
                  // once would move the buttons below between press and release, and the tap
                  // would land beside the button it was meant for.
                  onBlur={() => setTimeout(() => checkOne(f), BLUR_CHECK_DELAY_MS)}
                />
              )}
              {hintOf(f) ? <Text className='hint'>{hintOf(f)}</Text> : null}
              {errors[f.name] ? (
                <View className='error' role='alert'>
                  {errors[f.name]}
                </View>
              ) : null}
            </View>
          ))}
          <Action className='block' onClick={toMaterials}>
            下一步：上传材料
          </Action>
        </View>
      ) : null}

      {step === 2 ? (
        <View>
          <View className='card'>
            {t.materials.map((m) => (
              <View key={m.type} className='apply-material'>
                <Text className='apply-material-name'>{m.name}</Text>
                <Text className='apply-line muted'>{materialWords(m)}</Text>
                {m.exempt_if_shared ? <Text className='apply-line muted'>能查到电子证照的可以不传，查不到时会请您补传。</Text> : null}
                <View className='apply-photos'>
                  {(photos[m.type] || []).map((p, i) => (
                    <View key={p.key} className='apply-photo'>
                      <Image className='apply-thumb' src={p.path} mode='aspectFill' ariaLabel={`${m.name}第 ${i + 1} 张照片`} />
                      {p.failed ? null : (
                        <View className='apply-bar' role='progressbar' aria-valuenow={p.progress} aria-valuemin={0} aria-valuemax={100}>
                          <View className='apply-bar-fill' style={{ width: `${p.progress}%` }} />
                        </View>
                      )}
                      <Text className={`apply-photo-state ${p.failed ? 'error' : ''}`}>
                        {p.failed ? `上传失败：${p.failed}` : p.uploadId ? '已上传' : `正在上传 ${Math.round(p.progress)}%`}
                      </Text>
                      <Action className='danger block' onClick={() => removePhoto(m.type, p.key)}>
                        删除这张
                      </Action>
                    </View>
                  ))}
                </View>
                {missing[m.type] ? (
                  <View className='error apply-line' role='alert'>
                    {missing[m.type]}
                  </View>
                ) : null}
                <Action className='secondary block' onClick={() => addPhotos(m)}>
                  拍照或从相册选
                </Action>
              </View>
            ))}
          </View>
          <View className='apply-nav'>
            <Action className='secondary' onClick={() => setStep(1)}>
              上一步
            </Action>
            <Action  onClick={toDelivery}>
              下一步
            </Action>
          </View>
        </View>
      ) : null}

      {step === 3 ? (
        <View>
          <View className='card'>
            <Text className='label' id='apply-delivery'>
              办好后怎么拿结果
            </Text>
            {t.delivery.length > 1 ? (
              <View className='apply-choices' role='radiogroup' aria-labelledby='apply-delivery'>
                {t.delivery.map((d) => (
                  <View key={d} className={`btn ${method === d ? '' : 'secondary'}`} role='radio' aria-checked={method === d} onClick={() => setMethod(d)}>
                    {method === d ? `✓ ${DELIVERY_WORDS[d]}` : DELIVERY_WORDS[d]}
                  </View>
                ))}
              </View>
            ) : (
              <Text className='apply-line'>{method ? DELIVERY_WORDS[method] : '到窗口领取'}</Text>
            )}
            {method === 'mail' ? (
              <View className='field'>
                <Text className='label' id='apply-address'>
                  收件地址<Text className='apply-required'>（必填）</Text>
                </Text>
                <Input className='input' value={address} maxlength={MAX_TEXT} aria-labelledby='apply-address' placeholder='请填写收件地址' onInput={(e) => setAddress(e.detail.value)} />
                {addressError ? (
                  <View className='error' role='alert'>
                    {addressError}
                  </View>
                ) : null}
              </View>
            ) : null}
          </View>
          {t.kind === 'item' && me.village_code ? (
            <View className='card'>
              <Text className='label'>在哪里办（可以不选）</Text>
              {!choosePoint ? (
                <View>
                  <Text className='apply-line muted'>不选时，按您登记的村（社区）安排到所属镇街办理。</Text>
                  <Action className='secondary block' onClick={() => setChoosePoint(true)}>
                    我要自己选办理地点
                  </Action>
                </View>
              ) : points === null ? (
                <Text className='muted'>正在查找附近的办事点……</Text>
              ) : (
                <View className='apply-choices' role='radiogroup'>
                  <View className={`btn ${pointId ? 'secondary' : ''}`} role='radio' aria-checked={!pointId} onClick={() => setPointId('')}>
                    {pointId ? '不选，由系统安排' : '✓ 不选，由系统安排'}
                  </View>
                  {points.map((p) => (
                    <View key={p.id} className={`btn ${pointId === p.id ? '' : 'secondary'}`} role='radio' aria-checked={pointId === p.id} onClick={() => setPointId(p.id)}>
                      {pointId === p.id ? `✓ ${p.name}` : p.name}
                    </View>
                  ))}
                </View>
              )}
            </View>
          ) : null}
          <View className='apply-nav'>
            <Action className='secondary' disabled={sending} onClick={() => setStep(2)}>
              上一步
            </Action>
            <Action  disabled={sending} onClick={submit}>
              {sending ? '正在提交……' : '提交申请'}
            </Action>
          </View>
        </View>
      ) : null}
    </Page>
  )
}
