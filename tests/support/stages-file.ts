/** A stages file of the test's own for the runtimes of a test file (HANDRAIL_STAGES_FILE), set before them and restored after. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** The local stage with email in and out at the README's address (support-reply receives it). */
export const LOCAL_EMAIL_STAGE = 'local:\n  email:\n    from: support@handrail.localhost\n    receive: [{ address: support@handrail.localhost, workflow: support-reply }]\n';

/** Registers hooks (call it before the hooks that start runtimes) that point HANDRAIL_STAGES_FILE at `yaml` for this file. */
export function useStagesFile(yaml: string): void {
  const before = process.env.HANDRAIL_STAGES_FILE;
  beforeAll(() => {
    const file = join(mkdtempSync(join(tmpdir(), 'handrail-stages-')), 'stages.yaml');
    writeFileSync(file, yaml);
    process.env.HANDRAIL_STAGES_FILE = file;
  });
  afterAll(() => {
    process.env.HANDRAIL_STAGES_FILE = before;
  });
}
