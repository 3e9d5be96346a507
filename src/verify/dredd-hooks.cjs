// Dredd hooks of `converge-webhook verify` (CommonJS: Dredd loads Node.js hooks with require).
//
// Dredd on its own sends the contract's one request example once per declared response code and
// checks bodies only against the examples' keys. These hooks turn its run into the contract
// test: in beforeAll they replace Dredd's transactions with the planned checks (examples, auth
// checks, generated bodies), each sent as its `wire` request says. Each answer is judged by
// runVerify() (judge.ts), which receives it from Dredd's events. The plan comes from runVerify()
// through Dredd's configuration (`custom.verifyPlan`), which Dredd hands to the hooks as
// hooks.configuration.
'use strict';

const hooks = require('hooks');

const plan = hooks.configuration && hooks.configuration.custom && hooks.configuration.custom.verifyPlan;
if (!plan) throw new Error('converge-webhook verify: no plan in the Dredd configuration (custom.verifyPlan); run these hooks through runVerify()');

const checks = new Map(plan.checks.map((check) => [check.id, check]));

// After this many requests in a row without an answer, the rest are skipped rather than each
// waiting for its own timeout.
const MAX_CONSECUTIVE_ERRORS = 3;
let consecutiveErrors = 0;

hooks.beforeAll((transactions) => {
  const template = transactions.find((t) => t.request.method === 'POST' && String(t.expected.statusCode) === '200');
  if (!template) {
    transactions.length = 0;
    throw new Error('the contract document gave Dredd no POST transaction with a 200 response to build the checks on');
  }
  const built = plan.checks.map((check) => fromWire(check, template));
  // Dredd reads the array after this hook, so replacing its content replaces the run.
  transactions.splice(0, transactions.length, ...built);
});

// A check carries its request as sent: method, origin, path with its parameters, query, headers
// (Content-Type among them, or none) and body. A check without one is not sent (skipped).
function fromWire(check, template) {
  const wire = check.wire || { method: template.request.method, path: template.request.uri, query: '', headers: {}, body: '' };
  const origin = new URL(wire.origin || `${template.protocol}//${template.host}:${template.port}`);
  const uri = wire.query ? `${wire.path}?${wire.query}` : wire.path;
  const headers = Object.assign({ 'User-Agent': template.request.headers['User-Agent'], Accept: 'application/json, application/problem+json' }, wire.headers);
  return {
    name: check.id,
    id: check.id,
    host: origin.hostname.replace(/^\[|\]$/g, ''),
    port: origin.port || (origin.protocol === 'https:' ? '443' : '80'),
    protocol: origin.protocol,
    fullPath: uri,
    request: { method: wire.method, uri, headers, body: wire.body },
    expected: {},
    origin: Object.assign({}, template.origin, { exampleName: check.id }),
    skip: Boolean(check.skip || !check.wire),
  };
}

hooks.beforeEach((transaction) => {
  if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) transaction.skip = true;
});

hooks.afterEach((transaction) => {
  if (!checks.has(transaction.id) || transaction.skip) return;
  consecutiveErrors = transaction.real ? 0 : consecutiveErrors + 1;
});
