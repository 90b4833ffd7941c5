/**
 * Who may touch which knowledge collection (state-machines/collections.yaml), for the code that
 * serves it: the API checks writers and listers, a retrieve function checks the collections its
 * workflow may read (the same list its IAM role is scoped to on AWS, so local refuses what AWS
 * would). Admins and auditors see every collection; an author only those they write.
 */
import { hasRole, type Caller } from '../auth/caller.js';
import { directory } from '../approvals/directory.js';
import { defaultCollectionsFile, isWriter, loadCollections, type Collection, type Collections } from '../../state-machines/collections.js';
import { ENV } from '../shared/env-names.js';
import { requireEnv } from '../shared/env.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';

let cached: Collections | undefined;

/** The declared collections: read once per process from HANDRAIL_COLLECTIONS_FILE. */
export function collections(): Collections {
  cached ??= loadCollections(process.env[ENV.collectionsFile] || defaultCollectionsFile);
  return cached;
}

function declared(name: string): Collection {
  const collection = collections().collections[name];
  if (!collection) throw new NotFoundError(`No knowledge collection "${name}"; declared: ${Object.keys(collections().collections).join(', ') || 'none'} (state-machines/collections.yaml)`);
  return collection;
}

/** A caller may add versions to a collection: an admin, or one of its writers. @throws NotFoundError, ForbiddenError */
export function assertMayWrite(caller: Caller, name: string): void {
  const collection = declared(name);
  if (hasRole(caller, 'admin') || isWriter(collection, directory(), caller.id)) return;
  throw new ForbiddenError(`${caller.id} may not write the knowledge collection "${name}"; its writers are listed in collections.${name}.writers`);
}

/** A caller may list a collection's documents: an admin or auditor, or one of its writers. @throws NotFoundError, ForbiddenError */
export function assertMayList(caller: Caller, name: string): void {
  const collection = declared(name);
  if (hasRole(caller, 'admin', 'auditor') || isWriter(collection, directory(), caller.id)) return;
  throw new ForbiddenError(`${caller.id} may not read the knowledge collection "${name}"; authors see the collections they write`);
}

/** A retrieve function reads only its workflow's collections (its environment, as its IAM role). @throws ForbiddenError */
export function assertReadable(name: string): void {
  const readable = requireEnv(ENV.readableCollections).split(',');
  if (!readable.includes(name)) throw new ForbiddenError(`This workflow may not read the knowledge collection "${name}" (it may read: ${readable.join(', ')})`);
}

/** A workflow's knowledge-writing deliver function writes only the collections it publishes to (its environment, as its IAM role). @throws ForbiddenError */
export function assertWritable(name: string): void {
  const writable = (process.env[ENV.writableCollections] ?? '').split(',').filter(Boolean);
  if (!writable.includes(name)) throw new ForbiddenError(`This function may not write the knowledge collection "${name}" (it may write: ${writable.join(', ') || 'none'}); a workflow writes only the collections that name it in collections.<name>.publishers`);
}

/** For tests that switch collections files. */
export function resetCollections(): void {
  cached = undefined;
}
