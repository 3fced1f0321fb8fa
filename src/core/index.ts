// The delivery core's public face: what a front end (the CLI, a test, a future service) calls.
export { deliver, type Delivery } from './deliver.js';
export type { DeliveryEvent, DeliveryEventType, DeliveryListener, NoticeCode } from './events.js';
export type { ConcurrencyOptions, Connection, DeliveryInputs, DeliveryOptions, DeliveryStage, FileLedger, JournalChoice, StageContext } from './options.js';
export { defaultRejectsPath, inputPaths, isSummaryReport } from './outputs.js';
export { recoveredLockNotice } from './journal-run.js';
export { verify, type Verification, type VerifyEvent, type VerifyOptions, type VerifyResult } from './verify.js';
export { observe } from './run-data.js';
