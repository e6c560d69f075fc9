export default defineAppConfig({
  pages: ['pages/index/index'],
  window: {
    navigationBarTitleText: '就近办',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
  },
})
