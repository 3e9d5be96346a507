/**
 * The ceiling of the server benchmark: a bare Node http server that reads the whole body and
 * answers 200 with a small JSON body, nothing else. Run as a child process (its own core, its
 * own event loop, its RSS on its own), it prints {"url": ...} on stdout once listening.
 */
import { createServer } from 'node:http';

const answer = '{"status":"accepted"}';
const server = createServer((req, res) => {
  // Read the body, as any receiver must, before answering.
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    Buffer.concat(chunks);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': answer.length });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
