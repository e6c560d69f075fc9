export default definePageConfig({ navigationBarTitleText: '查找办事事项' })
