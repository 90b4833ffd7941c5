/**
 * Where a knowledge sync reads its files: a local folder (a Git checkout's folder included: its
 * commit is the revision), a Git repository (`git+<url>[#<branch or tag>]`, a folder of it with
 * `--path`: cloned shallow into a temporary folder, its commit the revision), or an S3 prefix (`s3://bucket/prefix/`, read with the caller's AWS
 * credentials; the SDK's AWS_ENDPOINT_URL_S3 and HANDRAIL_S3_FORCE_PATH_STYLE reach an S3-compatible
 * store). Each gives the synced files (document-text.ts SYNCED) with their paths under the source,
 * and the revision every version records.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SYNCED } from '../functions/knowledge/document-text.js';
import { parseS3Source, s3Source, SourceListError } from '../functions/knowledge/s3-source.js';
import { contentRevision, type SyncSource } from '../functions/knowledge/sync.js';
import { ENV } from '../functions/shared/env-names.js';
import { CliError } from './api-client.js';

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

async function s3SyncSource(from: string): Promise<SyncSource> {
  if (!parseS3Source(from)) throw new CliError(`--from ${from}: an S3 source is s3://<bucket>/<prefix>/`, 2);
  try {
    return await s3Source(new S3Client({ forcePathStyle: process.env[ENV.s3ForcePathStyle] === 'true' }), from);
  } catch (err) {
    if (!(err instanceof SourceListError)) throw err;
    throw new CliError(`--from ${from}: ${err.message}; check the bucket name and your AWS credentials`, 2);
  }
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
  return from.startsWith('s3://') ? s3SyncSource(from) : from.startsWith('git+') ? gitSource(from, path) : folderSource(from);
}
