// Dredd hooks of `converge-webhook verify` (CommonJS: Dredd loads Node.js hooks with require).
//
// Dredd on its own sends the contract's one request example once per declared response code and
// checks bodies only against the examples' keys (toolchain.md). These hooks turn its run into the
// contract test: in beforeAll they replace Dredd's transactions with the planned checks (examples,
// token checks, generated cases), and in afterEach they judge each answer against the contract
// with the generated validators. The plan comes from runVerify() through Dredd's configuration
// (`custom.convergeVerify`), which Dredd hands to the hooks as hooks.configuration.
'use strict';

const hooks = require('hooks');

const plan = hooks.configuration && hooks.configuration.custom && hooks.configuration.custom.convergeVerify;
if (!plan) throw new Error('converge-webhook verify: no plan in the Dredd configuration (custom.convergeVerify); run these hooks through runVerify()');

const validators = {
  accepted: require(plan.validators.accepted),
  validationProblem: require(plan.validators.validationProblem),
  problem: require(plan.validators.problem),
};
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
  const exampleBody = template.request.body;
  const built = plan.checks.map((check) => {
    const headers = { 'User-Agent': template.request.headers['User-Agent'], Accept: 'application/json, application/problem+json' };
    headers['Content-Type'] = check.request.contentType;
    if (check.request.tokenValue !== null) headers['X-Webhook-Token'] = check.request.tokenValue;
    return {
      name: check.id,
      id: check.id,
      host: template.host,
      port: template.port,
      protocol: template.protocol,
      fullPath: plan.path,
      // A null body means "the contract's own request example, as Dredd compiled it".
      request: { method: 'POST', uri: plan.path, headers, body: check.request.body === null ? exampleBody : check.request.body },
      // Nothing for Gavel to compare: the afterEach hook judges status and body against the
      // contract (Gavel would demand the response examples' keys, which the contract does not).
      expected: {},
      origin: Object.assign({}, template.origin, { exampleName: check.id }),
      skip: Boolean(check.skip),
    };
  });
  // Dredd reads the array after this hook, so replacing its content replaces the run.
  transactions.splice(0, transactions.length, ...built);
});

hooks.beforeEach((transaction) => {
  if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) transaction.skip = true;
});

hooks.afterEach((transaction) => {
  const check = checks.get(transaction.id);
  if (!check || transaction.skip) return;
  if (!transaction.real) {
    consecutiveErrors += 1;
    return;
  }
  consecutiveErrors = 0;
  const outcome = judge(check, transaction.real);
  if (transaction.test) transaction.test.converge = outcome;
  if (outcome.reason) transaction.fail = outcome.reason;
});

/** The verdict on one answer: `reason` when it breaks the contract, `notes` for what was tolerated. */
function judge(check, real) {
  const notes = [];
  const status = real.statusCode;
  const type = headerValue(real.headers, 'content-type');
  const text = real.body === undefined ? '' : real.bodyEncoding === 'base64' ? null : real.body;
  const expect = check.expect;
  const fail = (reason) => ({ reason, notes });

  if (expect.kind === 'accepted') {
    if (status < 200 || status > 299) return fail(`expected a 2xx status (accepted), got ${status}`);
    // The contract requires nothing of a 2xx body; when there is a JSON one, it must not
    // contradict the Accepted schema (status "accepted", event_id a string, ...).
    if (text === '') return { notes };
    if (!/json/i.test(type)) {
      notes.push(`the ${status} body is ${type ? `"${type}"` : 'sent without a Content-Type'}, not JSON, so it was not checked`);
      return { notes };
    }
    const parsed = parse(text);
    if (!parsed.ok) return fail(`the ${status} body is labelled "${type}" but is not JSON (${parsed.why})`);
    if (!validators.accepted(parsed.value)) return fail(`the ${status} body does not match the contract's Accepted schema: ${ajvText(validators.accepted.errors)}`);
    return { notes };
  }

  if (status !== expect.status) return fail(`expected status ${expect.status}, got ${status}`);
  const tolerate = (why) => {
    notes.push(why);
    return { notes };
  };

  if (expect.body === 'problem') {
    // 401, 415: the status is what a sender acts on. A body is optional, but a JSON one must
    // be a problem details object (every member of Problem is optional).
    if (text === '') return tolerate(`the ${status} answer has no problem details body (tolerated)`);
    if (text === null || !/json/i.test(type)) return tolerate(`the ${status} body is ${type ? `"${type}"` : 'untyped'}, not problem details JSON (tolerated)`);
    const parsed = parse(text);
    if (!parsed.ok) return fail(`the ${status} body is labelled "${type}" but is not JSON (${parsed.why})`);
    if (!validators.problem(parsed.value)) return fail(`the ${status} body does not match the contract's Problem schema: ${ajvText(validators.problem.errors)}`);
    return { notes };
  }

  // 400: a ValidationProblem, whose violations tell the sender what to fix. Their codes are not
  // compared: the contract fixes the shape, not another implementation's wording or codes.
  const parsed = text === '' ? { ok: false, why: 'empty body' } : text === null ? { ok: false, why: 'binary body' } : parse(text);
  const why = !parsed.ok
    ? `expected a ValidationProblem body (JSON with "violations"), got ${text === '' ? 'an empty body' : `a body that is not JSON (${parsed.why})`}`
    : !validators.validationProblem(parsed.value)
      ? `the ${status} body does not match the contract's ValidationProblem schema: ${ajvText(validators.validationProblem.errors)}`
      : null;
  if (!why) return { notes };
  // A request body that is not JSON is refused by many frameworks' parsers (and by Prism)
  // before the endpoint's own code runs, in their own error shape: the status is enough there.
  if (check.rawBody) return tolerate(`${why} (tolerated: the request body was not JSON)`);
  return fail(why);
}

function headerValue(headers, name) {
  for (const key of Object.keys(headers || {})) if (key.toLowerCase() === name) return String(headers[key]);
  return '';
}

function parse(text) {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, why: error.message };
  }
}

function ajvText(errors) {
  const list = (errors || []).slice(0, 3).map((e) => `${e.instancePath || '(body)'} ${e.message}`);
  return list.join('; ') + ((errors || []).length > 3 ? '; ...' : '');
}
