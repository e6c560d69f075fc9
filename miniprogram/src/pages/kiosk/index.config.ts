export default definePageConfig({ navigationBarTitleText: '自助服务' })
