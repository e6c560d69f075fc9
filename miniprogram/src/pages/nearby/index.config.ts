export default definePageConfig({ navigationBarTitleText: '附近哪里能办' })
