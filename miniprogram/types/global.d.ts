/// <reference types="@tarojs/taro" />

declare const API_BASE: string
declare const BUILD_PLATFORM: 'weapp' | 'h5'

declare module '*.css'

declare const process: { env: { TARO_ENV: 'weapp' | 'h5'; NODE_ENV?: string } }
declare function require(path: string): unknown
