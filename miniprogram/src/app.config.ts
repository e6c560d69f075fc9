export default defineAppConfig({
  pages: ['pages/index/index', 'pages/cases/index', 'pages/case/index'],
  window: {
    navigationBarTitleText: '就近办',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
  },
})
