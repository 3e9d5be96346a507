/**
 * Preloaded into the Prism process by mock.ts (node --require). Prism answers a body that is not
 * JSON from its HTTP library (micri) before its request log starts, so it logs nothing for that
 * request; this writes one line for every such answer, which prism-log.ts turns into a log line.
 * It only reads what is written: the answer is unchanged.
 */
'use strict';
const http = require('node:http');

// micri's error body for a request it could not read: {"error":{"code":"invalid_json","message":"Invalid JSON"}}.
const MICRI_ERROR = /^\{"error":\{"code":"([a-z_]+)","message":"([^"\n]*)"\}\}$/;

// Set by mock.ts for a contract whose form bodies Prism reads only in part: each form request is
// announced, so that the log line of its answer can say what Prism did not check.
const FORM_NOTE = Boolean(process.env.PRISM_HOOK_FORM_NOTE);
const FORM = /^\s*application\/x-www-form-urlencoded\s*(;|$)/i;

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (event, req, res) {
  if (event === 'request' && FORM_NOTE && req && FORM.test(String(req.headers['content-type'] ?? ''))) {
    process.stderr.write(`[prism-hook-form] ${req.method} ${req.url}\n`);
  }
  if (event === 'request' && res && typeof res.end === 'function') {
    const end = res.end;
    res.end = function (chunk, ...rest) {
      if (res.statusCode >= 400 && chunk !== undefined && chunk !== null && typeof chunk !== 'function') {
        const match = MICRI_ERROR.exec(Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
        if (match) process.stderr.write(`[prism-hook] ${req.method} ${req.url} ${res.statusCode} ${match[1]} ${match[2]}\n`);
      }
      return end.call(this, chunk, ...rest);
    };
  }
  return emit.apply(this, arguments);
};
