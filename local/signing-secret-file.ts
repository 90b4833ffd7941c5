/** The local stage's signing secret: made once per data folder, kept in `<dataDir>/signing-secret`. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function signingSecretIn(dataDir: string): string {
  const file = join(dataDir, 'signing-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
