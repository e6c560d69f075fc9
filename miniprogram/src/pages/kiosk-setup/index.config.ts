export default definePageConfig({ navigationBarTitleText: '设置自助终端' })
