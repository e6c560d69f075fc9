// The self-service terminal's pages exist only in the H5 (served at /kiosk/); the mini-program
// never shows them.
const kioskPages = process.env.TARO_ENV === 'h5' ? ['pages/kiosk/index', 'pages/kiosk-setup/index'] : []

export default defineAppConfig({
  pages: [
    'pages/index/index',
    'pages/search/index',
    'pages/item/index',
    'pages/bundle/index',
    'pages/nearby/index',
    'pages/apply/index',
    'pages/cases/index',
    'pages/case/index',
    'pages/me/index',
    'pages/bind/index',
    'pages/phone/index',
    'pages/mandates/index',
    'pages/messages/index',
    'pages/privacy/index',
    ...kioskPages,
  ],
  window: {
    navigationBarTitleText: '就近办',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
  },
  permission: {
    'scope.userLocation': { desc: '用于查找离您最近、能办理该事项的办事点' },
  },
  requiredPrivateInfos: ['getLocation'],
  // H5: no sliding page transition; its styles pin every page to the screen's height and stop
  // the body from scrolling, which cut long pages (and 长辈模式's larger text) off.
  animation: false,
})
