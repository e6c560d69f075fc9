// babel-preset-taro strips TypeScript without checking it: `npm run typecheck` (tsc) checks.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
}
