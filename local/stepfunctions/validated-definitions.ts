/**
 * Definitions the interpreter's validator (asl-validator, inside aws-local-stepfunctions) has
 * accepted, remembered by a hash of their exact text: it compiles the ASL JSON schemas anew for
 * every definition it checks (about a third of a second each), and every start of the runtime
 * registers every state machine again. Validation is deterministic, so a text it accepted once
 * it accepts again: remembered in memory and under node_modules/.cache (keyed also by the
 * interpreter's version and the options), as the synthesized template is. A text it refused is
 * never remembered, so its error is always the validator's own.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../infra/project-root.js';

const cacheDir = join(projectRoot, 'node_modules', '.cache', 'handrail-asl');
const known = new Set<string>();
let interpreterVersion: string | undefined;

function versionOfInterpreter(): string {
  try {
    interpreterVersion ??= (JSON.parse(readFileSync(join(projectRoot, 'node_modules', 'aws-local-stepfunctions', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    interpreterVersion = 'unknown';
  }
  return interpreterVersion;
}

function keyOf(definitionText: string, options: object): string {
  return createHash('sha256').update(`${versionOfInterpreter()}\n${JSON.stringify(options)}\n${definitionText}`).digest('hex').slice(0, 32);
}

/** Whether the validator accepted exactly this text with these options before. */
export function acceptedBefore(definitionText: string, options: object): boolean {
  const key = keyOf(definitionText, options);
  if (known.has(key)) return true;
  if (!existsSync(join(cacheDir, key))) return false;
  known.add(key);
  return true;
}

/** Remembers that the validator accepted this text with these options. */
export function rememberAccepted(definitionText: string, options: object): void {
  const key = keyOf(definitionText, options);
  known.add(key);
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, key), '');
  } catch {
    // A read-only tree validates again next time; nothing else depends on the file.
  }
}
