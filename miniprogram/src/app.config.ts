export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/me/index',
    'pages/bind/index',
    'pages/phone/index',
    'pages/mandates/index',
    'pages/messages/index',
    'pages/privacy/index',
  ],
  window: {
    navigationBarTitleText: '就近办',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
  },
})
