/**
 * The package's `exports` (and main/module/types), written from the registry of contracts, so
 * that adding a contract is adding a folder under spec/ and running `npm run generate`: no list
 * to edit by hand. `npm run generate` writes them into package.json (keeping every other key
 * and the key order), and test/contracts.test.ts checks that package.json says exactly this.
 *
 * "." is the default contract's library entry; "./<id>" each contract's; the default
 * contract's documents are also at the top ("./openapi.json", ...) as they were before there
 * was more than one contract.
 */
export interface ExportsContract {
  id: string;
  openapi: { json: string; yaml: string; dereferenced: string; 'openapi-3.0': string };
  types: { openapi: string };
}

type Exports = Record<string, unknown>;

const entry = (id: string) => ({
  import: { types: `./dist/esm/generated/${id}/index.d.ts`, default: `./dist/esm/generated/${id}/index.js` },
  require: { types: `./dist/cjs/generated/${id}/index.d.ts`, default: `./dist/cjs/generated/${id}/index.js` },
});

/** The documents, types and schemas of one contract, under `prefix` ("./" or "./<id>/"). */
function documents(prefix: string, contract: ExportsContract): Exports {
  return {
    [`${prefix}openapi.json`]: `./${contract.openapi.json}`,
    [`${prefix}openapi.yaml`]: `./${contract.openapi.yaml}`,
    [`${prefix}openapi.dereferenced.json`]: `./${contract.openapi.dereferenced}`,
    [`${prefix}openapi-3.0.json`]: `./${contract.openapi['openapi-3.0']}`,
    [`${prefix}openapi-types`]: { types: `./${contract.types.openapi}` },
    [`${prefix}schemas/*`]: `./generated/${contract.id}/schemas/*`,
  };
}

export function packageExports(defaultId: string, contracts: readonly ExportsContract[]): Exports {
  const main = contracts.find((c) => c.id === defaultId);
  if (!main) throw new Error(`the default contract "${defaultId}" is not in the registry`);
  const exports: Exports = { '.': entry(defaultId), './testing': { types: './dist/esm/src/testing.d.ts', default: './dist/esm/src/testing.js' }, ...documents('./', main) };
  for (const contract of contracts) {
    if (contract.id === defaultId) Object.assign(exports, documents(`./${contract.id}/`, contract));
  }
  for (const contract of contracts) {
    if (contract.id === defaultId) continue;
    exports[`./${contract.id}`] = entry(contract.id);
    Object.assign(exports, documents(`./${contract.id}/`, contract));
  }
  exports['./package.json'] = './package.json';
  return exports;
}

/** main, module and types: the default contract's entry, for tools that do not read exports. */
export function packageEntryFields(defaultId: string): { main: string; module: string; types: string } {
  return {
    main: `./dist/cjs/generated/${defaultId}/index.js`,
    module: `./dist/esm/generated/${defaultId}/index.js`,
    types: `./dist/esm/generated/${defaultId}/index.d.ts`,
  };
}

/**
 * package.json's text with `exports`, main, module and types replaced, everything else as it
 * was (npm's own two-space format and trailing newline).
 */
export function withPackageExports(text: string, defaultId: string, contracts: readonly ExportsContract[]): string {
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const fields = { ...packageEntryFields(defaultId), exports: packageExports(defaultId, contracts) };
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(manifest)) next[key] = key in fields ? fields[key as keyof typeof fields] : value;
  for (const [key, value] of Object.entries(fields)) if (!(key in next)) next[key] = value;
  return `${JSON.stringify(next, null, 2)}\n`;
}
