// The self-service terminal's pages exist only in the H5 (served at /kiosk/); the mini-program
// never shows them.
const kioskPages = process.env.TARO_ENV === 'h5' ? ['pages/kiosk/index', 'pages/kiosk-setup/index'] : []

export default defineAppConfig({
  pages: ['pages/index/index', ...kioskPages],
  window: {
    navigationBarTitleText: '就近办',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f7',
  },
})
