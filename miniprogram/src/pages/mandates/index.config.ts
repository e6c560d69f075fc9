export default definePageConfig({ navigationBarTitleText: '代办授权' })
