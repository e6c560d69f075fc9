// Taro build configuration for both targets: `weapp` (dist/weapp, opened in WeChat DevTools) and
// `h5` (dist/h5, served by the API process at /m/ and, in kiosk mode, at /kiosk/).
const path = require('path')

const platform = process.env.TARO_ENV || 'h5'
// The mini-program must call an absolute HTTPS origin registered in the WeChat console; the H5
// is served by the API itself and calls its own origin.
const apiBase = platform === 'weapp' ? process.env.JJB_API_BASE || 'http://127.0.0.1:8000' : ''

module.exports = function (merge) {
  return {
    projectName: 'jiujinban',
    date: '2026-12-07',
    designWidth: 375,
    deviceRatio: { 375: 2, 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${platform}`,
    plugins: [],
    defineConstants: {
      API_BASE: JSON.stringify(apiBase),
      BUILD_PLATFORM: JSON.stringify(platform),
    },
    alias: { '@': path.resolve(__dirname, '..', 'src') },
    copy: { patterns: [], options: {} },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    logger: { quiet: true, stats: false },
    mini: {
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
    h5: {
      publicPath: '/m/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[contenthash:8].js', chunkFilename: 'js/[name].[contenthash:8].js' },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[contenthash:8].css',
        chunkFilename: 'css/[name].[contenthash:8].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        pxtransform: { enable: false },
        cssModules: { enable: false },
      },
    },
  }
}
