/** Passages and model refs shared by the gateway tests. */
import type { ModelRef } from '../../../state-machines/schema.js';
import type { Passage } from '../../../functions/shared/step-contract.js';

export function passage(n: number, docId: string, title: string, text: string, version = 3): Passage {
  return {
    n,
    collection: 'support',
    docId,
    title,
    version,
    sha256: 'f'.repeat(64),
    s3Key: `support/${docId}/v${version}.md`,
    passageId: `${docId}@v${version}#0`,
    text,
    score: 1 / n,
  };
}

export const PASSAGES: Passage[] = [
  passage(
    1,
    'reset-password',
    'Resetting your password',
    'To reset your password, open Settings and choose Security. Click "Reset password" and follow the emailed link. The link expires after 30 minutes.',
  ),
  passage(
    2,
    'billing-faq',
    'Billing questions',
    'Invoices are emailed on the first of each month. Refunds take five business days.',
  ),
  passage(
    3,
    'two-factor',
    'Two-factor authentication',
    'If you lost your phone, use a backup code to sign in. Support can disable two-factor after verifying your identity.',
  ),
];

/** A model ref with the schema defaults filled in, as the compiler would pass it. */
export function ref(provider: ModelRef['provider'], model?: string, over: Partial<ModelRef> = {}): ModelRef {
  return { provider, model, maxTokens: 800, temperature: 0.2, timeoutMs: 5000, maxAttempts: 2, ...over };
}
