/**
 * generated/default-sandbox.ts: the public types of converge-webhook-contract/testing's
 * `startSandbox` (src/default-sandbox.ts), written in the default contract's words. The sandbox
 * names a stored delivery's members from contract.yaml (`events`, `logs.filters`, the auth's
 * label); its consumers see them as typed members (`event_id`, `event_name`, ...), so the types
 * are written from the same data, by the same reading (src/sandbox/record-layout.ts). Nothing
 * here names a contract: what differs is in contract.yaml.
 */
import type { ContractDescriptor as RuntimeDescriptor, LogsFilter } from '../../src/contract-runtime.ts';
import { recordLayout } from '../../src/sandbox/record-layout.ts';
import type { ContractDescriptor } from './contracts.ts';
import type { LibrarySection } from './library-entry.ts';

export interface SandboxTypesInput {
  header: string;
  descriptor: ContractDescriptor;
  /** The contract.yaml path, for messages. */
  file: string;
  /** Where the contract's schema types are, from generated/ (./<id>/types/schemas.js). */
  typesModule: string;
  /** Names the generated types file exports (the stored body's type must be one). */
  typeNames: ReadonlySet<string>;
  /** The auth's word for its secret (the sandbox's log entries name the masked secret so). */
  secretLabel: string;
}

/** EventSpec -> "Event Spec": a component's name as words. */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2');
}

function doc(text: string, indent = '  '): string {
  if (indent.length + text.length + 7 <= 110) return `${indent}/** ${text} */\n`;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + 3 + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.length === 1 ? `${indent}/** ${lines[0]} */\n` : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
}

const member = (name: string): string => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

export function sandboxTypes(input: SandboxTypesInput): string {
  const { descriptor, file } = input;
  const d = descriptor as unknown as Omit<RuntimeDescriptor, 'operations'> & { operations: Array<{ id: string; path: string; default?: boolean; levels?: { errors: string; warnings: string } }>; library?: LibrarySection };
  const { idField, nameField, record, byName, storesInvalid } = recordLayout(d);
  const operation = d.operations.find((o) => o.default) ?? d.operations[0]!;
  const levels = operation.levels;
  if (!levels) throw new Error(`${file}: /operations: the default operation has no levels, so /testing's stored body has no type`);
  const bodyType = levels.errors;
  if (!input.typeNames.has(bodyType)) throw new Error(`${file}: levels.errors: expected a type of the generated schemas, found "${bodyType}"`);
  const noun = d.logs?.noun ?? { one: 'delivery', other: 'deliveries' };
  const recommendations = words(levels.warnings);
  const filters = (d.logs?.filters ?? []).map((f: LogsFilter) => (typeof f === 'string' ? { name: f, value: f === 'kind' ? 'kind' : undefined } : f));
  const nameFilter = byName ? filters.find((f) => f.value === 'name')?.name : undefined;
  const guard = d.library?.guards?.find((g) => g.level === 'conforming' && g.operation === undefined);

  const stored: string[] = [];
  for (const name of record) {
    if (name === 'id') stored.push(doc('Sequence number, from 1, in order of receipt (starts again after a reset).'), '  id: number;\n');
    else if (name === 'kind') stored.push(doc(`The operation it was sent to.`), '  kind: string;\n');
    else if (name === idField) stored.push(`  ${member(name)}: string;\n`);
    else if (byName && name === nameField) stored.push(`  ${member(name)}: Name;\n`);
    else if (name === 'received_at') stored.push(doc('Time of receipt, ISO 8601 in UTC.'), '  received_at: string;\n');
    else if (name === 'token_hash') stored.push(doc(`A fingerprint of the ${input.secretLabel} the ${noun.one} came with (start of its SHA-256), never the ${input.secretLabel}.`), '  token_hash: string;\n');
    else if (name === 'violations') stored.push(doc('The contract errors it was stored with.'), '  violations?: StoredViolation[];\n');
    else if (name === 'warnings') stored.push(doc(`${recommendations} warnings found when it was accepted.`), '  warnings: Violation[];\n');
    else if (name === 'body' && storesInvalid) stored.push(doc('The body as sent: one that breaks a rule is stored too (see `violations`).'), '  body: unknown;\n');
    else if (name === 'body') {
      stored.push(
        doc(
          `The body as sent. Only ${noun.other} that pass the contract rules are stored, so it is a \`${bodyType}\`. Breaking the ${recommendations} is only a warning (see \`warnings\`), so what it adds is not in this type${guard ? `: \`${guard.name}(body)\` checks and narrows it` : ''}.`,
        ),
        `  body: ${bodyType}${byName ? ` & { ${member(nameField!)}: Name }` : ''};\n`,
      );
    } else throw new Error(`${file}: /events/record: expected a member the sandbox stores, found "${name}"`);
  }
  const query = filters.map((f) => `  ${member(f.name)}?: string;\n`);
  // The operation, unless the body names the delivery (then the contract has one operation).
  const logName = byName ? [`  ${member(nameField!)}?: string;\n`] : [doc('The operation the request reached, when the auth could tell.'), '  kind?: string;\n'];
  const logId = idField ? [`  ${member(idField)}?: string;\n`] : [];
  const named = nameFilter ? ` & { ${member(nameFilter)}?: Name }` : '';
  const importsViolation = record.includes('violations');

  return `${input.header}
// The public types of converge-webhook-contract/testing's startSandbox (src/default-sandbox.ts),
// in the words of the default contract, ${file} (events, logs.filters, auth,
// the default operation's path and levels): written by scripts/lib/sandbox-types.ts.
import type { Violation } from '../src/engine/engine.js';
import type { OpenReport${importsViolation ? ', StoredViolation' : ''} } from '../src/sandbox/store.js';${storesInvalid ? '' : `\nimport type { ${bodyType} } from '${input.typesModule}';`}

/**
 * One stored ${noun.one}, as GET /api/events returns it.${nameFilter ? ` \`Name\` is the \`${nameField}\` that
 * \`events({ ${nameFilter} })\` filtered on (any name without a filter).` : ''}
 */
export interface StoredEvent<Name extends string = string> {
${stored.join('')}}

export interface EventQuery {
${query.join('')}${doc(`A sequence number (${noun.other} with a larger id), or a time (${noun.other} received at or after it).`)}  since?: number | string | Date;
${doc('At most this many (the newest).')}  limit?: number;
}

export interface RunningSandbox {
${doc(`Base URL, e.g. http://127.0.0.1:${d.ports?.sandbox ?? 4011}`)}  url: string;
${doc(`The endpoint: \`\${url}${operation.path}\`.`)}  webhookUrl: string;
${doc(`The ${input.secretLabel} senders must present.`)}  token: string;
${doc('The store folder, or undefined in memory.')}  dataDir: string | undefined;
${doc('What opening the store found (events, a torn last line cut off, damaged lines skipped).')}  opened: OpenReport;
${doc(`Stored ${noun.other}, newest first${nameFilter ? `; filtered on \`${nameFilter}\`, their bodies carry that name in their type` : ''}.`)}  events<Name extends string = string>(query?: EventQuery${named}): StoredEvent<Name>[];
${doc(`How many ${noun.other} are stored.`)}  count(): number;
${doc(`Deletes every stored ${noun.one} (on disk too).`)}  reset(): void;
${doc('Stops listening, ends open connections, closes the store.')}  stop(): Promise<void>;
}

${doc(`What happened to one request to the endpoint. Never holds the ${input.secretLabel} itself.`, '')}export interface SandboxLogEntry {
  time: string;
  method: string;
  status: number;
${doc(`Masked ${input.secretLabel}, "none" when missing, "wrong" when it did not match.`)}  ${member(input.secretLabel)}: string;
${[...logName, ...logId].join('')}${doc(`Sequence number of the stored ${noun.one}.`)}  id?: number;
  duplicate?: boolean;
  warnings?: string[];
  violations?: string[];
  detail?: string;
}
`;
}
