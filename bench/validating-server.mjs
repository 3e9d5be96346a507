/**
 * A reference point between the bare server and the sandbox: node:http, JSON.parse and
 * validateEvent of this package, answering 200 or 400, nothing else (no token, no dedup, no
 * store). What any validating receiver pays at least; the rest of the sandbox's cost is its
 * own plumbing. Prints {"url": ...} on stdout once listening.
 */
import { createServer } from 'node:http';

import { validateEvent } from '../dist/esm/generated/converge/index.js';

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let valid = false;
    try {
      valid = validateEvent(JSON.parse(Buffer.concat(chunks).toString('utf8'))).valid;
    } catch {
      // Not JSON: a 400 like any other invalid body.
    }
    const answer = valid ? '{"status":"accepted"}' : '{"status":"invalid"}';
    res.writeHead(valid ? 200 : 400, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
