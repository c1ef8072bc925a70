// What the bundle exports: one bundle serves both thin entries (src/index.ts, src/cli.ts), so the
// action and the CLI share their lazily loaded chunks (the AWS SDKs) instead of carrying two copies.
// `run` is the name @github/local-action calls: `npx @github/local-action . src/entries.ts .env`.
export { runAction, runAction as run, runnerEdges, type ActionEdges } from './entry/action.js';
export { main } from './entry/cli.js';
