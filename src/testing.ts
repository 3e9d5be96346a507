/**
 * converge-webhook-contract/testing: real servers on loopback for other repos' test suites.
 * The Prism mock needs the optional peer dependency @stoplight/prism-cli.
 */
export { startMock, PrismNotInstalled, PortInUse, PRISM_INSTALL_COMMAND } from './mock/mock.js';
export type { MockOptions, RunningMock } from './mock/mock.js';
export { startSandbox } from './default-sandbox.js';
export type { SandboxOptions, RunningSandbox, StoredEvent, EventQuery } from './default-sandbox.js';
export { runVerify } from './verify/verify.js';
export type { VerifyOptions, VerifyResult } from './verify/verify.js';
