/**
 * Transitional, to be deleted: the default contract's path, written out, for the callers of
 * src/endpoint.ts that do not take it from their contract yet (src/verify/verify.ts imports
 * WEBHOOK_PATH; src/commands/mock.ts calls resolveEndpointUrl without a path). Every other caller
 * passes its contract's path (the default operation's, from the contract runtime). Once those two
 * do too, delete this file, WEBHOOK_PATH and the one-argument overload in endpoint.ts.
 */
export const LEGACY_DEFAULT_PATH = '/api/webhooks';
