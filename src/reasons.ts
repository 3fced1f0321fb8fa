// Kept only so that imports of `ReasonCode` from here keep compiling while other branches of issue
// 14 are merged: the table is src/codes.ts. Import from there; this file goes once nothing uses it.
export type { ReasonCode } from './codes.js';
