/**
 * Finding an address to erase: whole addresses only, in any case, anywhere in a stored value, with
 * the rest of each string kept and the JSON Pointer of each change reported; and an audit event's
 * hash, which holds over an erased string only with the digest the erasure kept.
 */
import { describe, expect, it } from 'vitest';
import { eventHash, leafDigest, legacyEventHash } from '../../../functions/records/audit.js';
import { ERASED, redactTree, subjectPattern } from '../../../functions/erasure/redact-subject.js';

const pattern = subjectPattern('pat@example.com');

describe('redactTree', () => {
  it.each([
    ['pat@example.com', ERASED],
    ['Mail PAT@Example.COM today.', `Mail ${ERASED} today.`],
    ['pat@example.com, pat@example.com', `${ERASED}, ${ERASED}`],
    ['<pat@example.com>', `<${ERASED}>`],
    ['jpat@example.com', 'jpat@example.com'],
    ['pat@example.com.au', 'pat@example.com.au'],
    ['pat@example.community', 'pat@example.community'],
  ])('%s → %s', (text, expected) => {
    expect(redactTree(text, pattern, '', [])).toBe(expected);
  });

  it('walks objects and arrays, keeps every other value, and names each string changed', () => {
    // Prepare
    const changed: string[] = [];
    const value = { to: 'pat@example.com', cc: ['x@example.com', 'pat@example.com'], 'a/b': { note: 'ask pat@example.com' }, n: 3, ok: true, none: null };
    // Act
    const redacted = redactTree(value, pattern, '/input', changed);
    // Assess
    expect(redacted).toEqual({ to: ERASED, cc: ['x@example.com', ERASED], 'a/b': { note: `ask ${ERASED}` }, n: 3, ok: true, none: null });
    expect(changed).toEqual(['/input/to', '/input/cc/1', '/input/a~1b/note']);
  });
});

describe('an audit event hash over erased strings', () => {
  const event = { subject: 'run-1', seq: 2, time: '2026-01-01T00:00:00.000Z', type: 'approval.decided' as const, actor: 'pat@example.com', details: { reason: 'ok for pat@example.com', n: 1 }, prev: '0'.repeat(64) };
  const hash = eventHash(event);

  it('holds with the digests an erasure kept, and for nothing else', () => {
    const erased = { ...event, actor: ERASED, details: { reason: `ok for ${ERASED}`, n: 1 } };
    const kept = new Map([['/actor', leafDigest(event.actor)], ['/details/reason', leafDigest(event.details.reason)]]);
    expect(eventHash(erased)).not.toBe(hash);
    expect(eventHash(erased, kept)).toBe(hash);
    // Anything else changed in the event shows, with or without the kept digests.
    expect(eventHash({ ...erased, details: { ...erased.details, n: 2 } }, kept)).not.toBe(hash);
    expect(eventHash({ ...erased, type: 'approval.vote' }, kept)).not.toBe(hash);
    expect(eventHash(erased, new Map([['/actor', leafDigest(event.actor)]]))).not.toBe(hash);
  });

  it('differs from the hash events carried before erasure was possible', () => {
    expect(legacyEventHash(event)).not.toBe(hash);
  });
});
