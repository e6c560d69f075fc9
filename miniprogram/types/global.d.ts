/// <reference types="@tarojs/taro" />

declare const API_BASE: string
declare const BUILD_PLATFORM: 'weapp' | 'h5'

declare module '*.css'
