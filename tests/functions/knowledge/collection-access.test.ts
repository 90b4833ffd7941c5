/** Who may touch which collection: writers (groups expanded, case-insensitive), listers, and a retrieve function's own collections. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Caller } from '../../../functions/auth/caller.js';
import { assertMayList, assertMayWrite, assertReadable, resetCollections } from '../../../functions/knowledge/collection-access.js';
import { ENV } from '../../../functions/shared/env-names.js';
import { ForbiddenError, NotFoundError } from '../../../functions/shared/errors.js';
import { TEST_COLLECTIONS_FILE } from '../../support/local-runtime.js';

const as = (id: string, ...roles: Caller['roles'][number][]): Caller => ({ id, roles, via: 'id-token' });

beforeEach(() => {
  process.env[ENV.collectionsFile] = TEST_COLLECTIONS_FILE;
  resetCollections();
});
afterEach(() => {
  delete process.env[ENV.collectionsFile];
  delete process.env[ENV.readableCollections];
  resetCollections();
});

describe('collection access', () => {
  it('lets writers write, by id or through a directory group, whatever the case of their email', () => {
    expect(() => assertMayWrite(as('Author@Example.com', 'author'), 'support')).not.toThrow();
    expect(() => assertMayWrite(as('head-of-support@example.com', 'author'), 'support')).not.toThrow(); // group:support-leads
    expect(() => assertMayWrite(as('admin@example.com', 'admin'), 'sales')).not.toThrow();
  });

  it('refuses everyone else, and names the collection and where its writers are', () => {
    expect(() => assertMayWrite(as('author@example.com', 'author'), 'sales')).toThrow(new ForbiddenError('author@example.com may not write the knowledge collection "sales"; its writers are listed in collections.sales.writers'));
    expect(() => assertMayWrite(as('support-agent@example.com', 'author'), 'support')).toThrow(ForbiddenError);
    expect(() => assertMayWrite(as('admin@example.com', 'admin'), 'nope')).toThrow(NotFoundError);
  });

  it('lets auditors and admins list every collection, authors only theirs', () => {
    expect(() => assertMayList(as('auditor@example.com', 'auditor'), 'sales')).not.toThrow();
    expect(() => assertMayList(as('author@example.com', 'author'), 'support')).not.toThrow();
    expect(() => assertMayList(as('author@example.com', 'author'), 'sales')).toThrow(ForbiddenError);
  });

  it("keeps a retrieve function to its workflow's collections, and needs them declared", () => {
    expect(() => assertReadable('support')).toThrow(/HANDRAIL_READABLE_COLLECTIONS is not set/);
    process.env[ENV.readableCollections] = 'support,faq';
    expect(() => assertReadable('faq')).not.toThrow();
    expect(() => assertReadable('sales')).toThrow(new ForbiddenError('This workflow may not read the knowledge collection "sales" (it may read: support, faq)'));
  });
});
