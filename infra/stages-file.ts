/** The stages file (stages.yaml, or the file HANDRAIL_STAGES_FILE names), read as YAML; `{}` when there is none. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './project-root.js';

export const STAGES_FILE_ENV = 'HANDRAIL_STAGES_FILE';

export function stagesFile(): string {
  return process.env[STAGES_FILE_ENV] || join(projectRoot, 'stages.yaml');
}

export function readStagesFile(file = stagesFile()): { raw: Record<string, unknown>; file: string; exists: boolean } {
  if (!existsSync(file)) return { raw: {}, file, exists: false };
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (err) {
    throw new Error(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) throw new Error(`${file}: (root): a map of stages (dev:, staging:, …)`);
  return { raw: raw as Record<string, unknown>, file, exists: true };
}
