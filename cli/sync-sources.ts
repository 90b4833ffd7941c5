/**
 * Where a knowledge sync reads its files: a local folder (a Git checkout's folder included: its
 * commit is the revision), a Git repository (`git+<url>[#<branch or tag>]`, a folder of it with
 * `--path`: cloned shallow into a temporary folder, its commit the revision), or an S3 prefix (`s3://bucket/prefix/`, read with the caller's AWS
 * credentials; the SDK's AWS_ENDPOINT_URL_S3 and HANDRAIL_S3_FORCE_PATH_STYLE reach an S3-compatible
 * store). Each gives the synced files (document-text.ts SYNCED) with their paths under the source,
 * and the revision every version records.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../functions/shared/env-names.js';
import { CliError } from './api-client.js';
import { SYNCED } from './document-text.js';

export interface SourceFile {
  /** Its path under the source, `/`-separated. */
  readonly path: string;
  read(): Promise<Buffer>;
}

export interface SyncSource {
  /** Called when the sync is done with the files (a clone is removed). */
  close?(): void;
  /** What the source is (a folder's absolute path, `s3://bucket/prefix/`): versions record it, and a sync removes only its own. */
  readonly id: string;
  readonly files: SourceFile[];
  /** What the versions record as the source's revision, given the files' text hashes. */
  revision(hashes: readonly { path: string; sha256: string }[]): string;
}

/** A hash of the synced files' paths and texts: the revision of a source with no history of its own. */
const contentRevision = (kind: string, hashes: readonly { path: string; sha256: string }[]) =>
  `${kind}:${createHash('sha256').update(hashes.map((f) => `${f.path}\n${f.sha256}`).join('\n')).digest('hex').slice(0, 16)}`;

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? filesUnder(root, join(dir, e.name)) : e.isFile() && SYNCED.test(e.name) ? [join(dir, e.name)] : []));
}

function folderSource(from: string, id?: string): SyncSource {
  const root = resolve(from);
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new CliError(`--from ${from}: not a folder; give the folder the collection follows (or s3://bucket/prefix/)`, 2);
  }
  return {
    id: id ?? root,
    files: filesUnder(root).map((file) => ({ path: relative(root, file).split(sep).join('/'), read: async () => readFileSync(file) })),
    revision(hashes) {
      try {
        return `git:${execFileSync('git', ['-C', root, 'rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim()}`;
      } catch {
        return contentRevision('files', hashes);
      }
    },
  };
}

async function s3Source(from: string): Promise<SyncSource> {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(from);
  if (!match) throw new CliError(`--from ${from}: an S3 source is s3://<bucket>/<prefix>/`, 2);
  const [, bucket, rawPrefix] = match as unknown as [string, string, string];
  const prefix = rawPrefix && !rawPrefix.endsWith('/') ? `${rawPrefix}/` : rawPrefix;
  const s3 = new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' });
  const keys: string[] = [];
  try {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter((key) => SYNCED.test(key) && !key.split('/').some((part) => part.startsWith('.'))));
    }
  } catch (err) {
    throw new CliError(`--from ${from}: cannot list the prefix (${(err as Error).name}: ${(err as Error).message}); check the bucket name and your AWS credentials`, 2);
  }
  return {
    id: `s3://${bucket}/${prefix}`,
    files: keys.sort().map((key) => ({
      path: key.slice(prefix.length),
      read: async () => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()),
    })),
    revision: (hashes) => contentRevision('s3', hashes),
  };
}

function gitSource(from: string, path = ''): SyncSource {
  const [url, ref] = from.slice('git+'.length).split('#') as [string, string | undefined];
  const clone = mkdtempSync(join(tmpdir(), 'handrail-kb-git-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--depth', '1', ...(ref ? ['--branch', ref] : []), '--', url, clone], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(clone, { recursive: true, force: true });
    const said = String((err as { stderr?: Buffer }).stderr ?? (err as Error).message).trim().split('\n').at(-1);
    throw new CliError(`--from ${from}: cannot clone it (${said}); check the URL${ref ? ' and the branch or tag' : ''}`, 2);
  }
  const inside = resolve(clone, path);
  if (relative(clone, inside).startsWith('..')) throw new CliError(`--path ${path}: must be a folder inside the repository`, 2);
  let folder: SyncSource;
  try {
    folder = folderSource(inside, `${from}${path ? `:${path.replace(/^\/+|\/+$/g, '')}` : ''}`);
  } catch {
    rmSync(clone, { recursive: true, force: true });
    throw new CliError(`--path ${path}: no such folder in ${url}${ref ? `#${ref}` : ''}`, 2);
  }
  return { ...folder, close: () => rmSync(clone, { recursive: true, force: true }) };
}

/** The source `--from` names: `s3://…`, `git+<url>` (with `path`, a folder of it) or a folder. */
export function syncSource(from: string, path?: string): Promise<SyncSource> | SyncSource {
  if (path !== undefined && !from.startsWith('git+')) throw new CliError('--path is for a Git repository (--from git+<url>); give the folder itself to --from', 2);
  return from.startsWith('s3://') ? s3Source(from) : from.startsWith('git+') ? gitSource(from, path) : folderSource(from);
}
