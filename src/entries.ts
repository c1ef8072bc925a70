// What the bundle exports: one bundle serves both thin entries (src/index.ts, src/cli.ts), so the
// action and the CLI share their lazily loaded chunks (the AWS SDKs) instead of carrying two copies.
export { runAction } from './entry/action.js';
export { main } from './entry/cli.js';
