// Builds dist/: the ES module build (library, CLI, servers) and the CommonJS build of the
// library entry, each with the precompiled validators and generated types beside it.
// Runs in `npm test` and on `npm pack` (prepack); never on install, so that the package's users
// run no script of it. Before `npm start` it runs with --if-stale: it builds only when a file
// that goes into dist/ (src/, generated/, the tsconfigs, package.json) is newer than the last
// build, so that starting the mock again does not wait for tsc.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();

const STAMP = join(root, 'dist/.built');
/** The newest modification time under `path` (a file or a folder), 0 when it is not there; the reference pages (generated/<id>/docs/) are not built into dist/. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  // Files only: a folder's time changes when anything is added to it (a reference page, say).
  return readdirSync(path).reduce((max, name) => (name === 'docs' ? max : Math.max(max, newest(join(path, name)))), 0);
}
if (process.argv.includes('--if-stale')) {
  const built = newest(STAMP);
  const inputs = ['src', 'generated', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'package.json', 'scripts/build.mjs'];
  if (built > 0 && inputs.every((input) => newest(join(root, input)) <= built)) {
    console.error('dist/ is up to date (npm run build rebuilds it anyway)');
    process.exit(0);
  }
}

// Build into a fresh folder and swap it in at the end: a failed build leaves the last good
// dist/ in place, and a CLI started meanwhile (by a test, say) never sees a half-built one.
// tsc is silent for its 10-30 s: say what is happening.
console.error('building dist/ (tsc: the ES module build, then the CommonJS one)…');
const out = `dist.building-${process.pid}`;
rmSync(join(root, out), { recursive: true, force: true });
for (const [project, folder] of [['tsconfig.build.json', 'esm'], ['tsconfig.cjs.json', 'cjs']]) {
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, project), '--outDir', join(root, out, folder)], { cwd: root, stdio: 'inherit' });
  } catch {
    rmSync(join(root, out), { recursive: true, force: true });
    console.error(`build: tsc -p ${project} failed (its errors are above); dist/ is unchanged`);
    process.exit(1);
  }
}

function copy(from, to, rename = (name) => name) {
  mkdirSync(join(root, to), { recursive: true });
  for (const name of readdirSync(join(root, from))) {
    const target = rename(name);
    if (target) copyFileSync(join(root, from, name), join(root, to, target));
  }
}
// Every contract of the registry (generated/contracts.json, written by npm run generate):
// ESM gets the .js validators and their .d.ts; CJS the .cjs validators renamed to .js.
const { contracts } = JSON.parse(readFileSync(join(root, 'generated/contracts.json'), 'utf8'));
for (const { id } of contracts) {
  copy(`generated/${id}/validators`, `${out}/esm/generated/${id}/validators`, (n) => (n.endsWith('.js') || n.endsWith('.d.ts') ? n : null));
  copy(`generated/${id}/validators`, `${out}/cjs/generated/${id}/validators`, (n) =>
    n.endsWith('.cjs') ? n.replace(/\.cjs$/, '.js') : n.endsWith('.d.cts') ? n.replace(/\.d\.cts$/, '.d.ts') : null,
  );
  copy(`generated/${id}/types`, `${out}/esm/generated/${id}/types`);
  copy(`generated/${id}/types`, `${out}/cjs/generated/${id}/types`);
}
// verify's Dredd hooks (Dredd requires them) and the mock's Prism hook (node --require) are CommonJS, which tsc does not copy.
copy('src/verify', `${out}/esm/src/verify`, (n) => (n.endsWith('.cjs') ? n : null));
copy('src/mock', `${out}/esm/src/mock`, (n) => (n.endsWith('.cjs') ? n : null));
writeFileSync(join(root, out, 'cjs/package.json'), '{ "type": "commonjs" }\n');
chmodSync(join(root, out, 'esm/src/cli.js'), 0o755);
// Written last: the time the inputs were read (a file changed during the build is newer).
writeFileSync(join(root, out, '.built'), `${new Date(started).toISOString()}\n`);
utimesSync(join(root, out, '.built'), started / 1000, started / 1000);

const old = `dist.old-${process.pid}`;
if (existsSync(join(root, 'dist'))) renameSync(join(root, 'dist'), join(root, old));
renameSync(join(root, out), join(root, 'dist'));
rmSync(join(root, old), { recursive: true, force: true });

// The bin is bin/converge-webhook.js (committed: it says "run npm run build" when dist/ is missing),
// which npx finds in package.json; a link that earlier builds put in node_modules/.bin pointed at
// dist/ directly and would shadow it, so it goes.
const link = join(root, 'node_modules/.bin/converge-webhook');
try {
  if (readlinkSync(link) === '../../dist/esm/src/cli.js') rmSync(link);
} catch {
  // No link: nothing to remove.
}
console.error(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
