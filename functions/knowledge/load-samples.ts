/**
 * Loads a folder of sample knowledge into the store: each subfolder is a collection, each `.md`
 * file in it a document (docId = slugified file name). Safe to run at every local start: content
 * already stored as the latest version comes back `unchanged` and creates nothing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { putDocument, type DocumentVersion } from './document-store.js';

export async function loadSampleKnowledge(dir: string, author = 'handrail-samples'): Promise<DocumentVersion[]> {
  const loaded: DocumentVersion[] = [];
  const collections = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  for (const collection of collections) {
    const files = (await readdir(join(dir, collection), { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.md'))
      .map((e) => e.name)
      .sort();
    // Sequential on purpose: a handful of files, and a deterministic order for logs and tests.
    for (const fileName of files) {
      const content = await readFile(join(dir, collection, fileName), 'utf8');
      loaded.push(await putDocument({ collection, fileName, content, author }));
    }
  }
  return loaded;
}
