/**
 * What the functions read from files, shipped as JSON beside index.mjs, so no bundle needs a YAML
 * parser (functions/shared/lazy-yaml.ts): the price table (generate, classify), the reviewer
 * directory (API, approval, reminders), the knowledge collections and the workflow definitions (API). Each is read and
 * validated here, by the same code and schema that read it at run time, so a broken file fails the
 * synth naming the key instead of failing once deployed.
 *
 * Every function returns `afterBundling` commands that carry the JSON themselves: the files are
 * read on the synthesizing machine, and the commands run the same in Docker bundling, where only
 * the container's paths exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPriceTable } from '../../functions/usage/price-table.js';
import { yamlParser } from '../../functions/shared/lazy-yaml.js';
import type { Collections } from '../../state-machines/collections.js';
import type { Directory } from '../../state-machines/directory.js';
import type { Release } from '../../state-machines/release.js';
import { validateWorkflow, type LoadedWorkflow } from '../../state-machines/load-workflow.js';
import { projectRoot } from '../project-root.js';

/** Names in the asset, which functions/usage/prices.ts and the environment variables point at. */
export const BUNDLED_PRICE_TABLE = 'prices.json';
export const BUNDLED_DIRECTORY = 'reviewers.json';
export const BUNDLED_WORKFLOWS_DIR = 'workflows';
export const BUNDLED_COLLECTIONS = 'collections.json';
export const BUNDLED_RELEASES = 'releases.json';

/** The price table the model callers ship and releases are priced with. */
export const PRICE_TABLE_FILE = join(projectRoot, 'state-machines/prices.yaml');

/** The price table (state-machines/prices.yaml) as `prices.json`. */
export function priceTableCommands(outputDir: string, source = PRICE_TABLE_FILE): string[] {
  let table: unknown;
  try {
    table = readPriceTable(source);
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}; fix the price table (USD per 1K tokens, e.g. gpt-4o: { input: 0.0025, output: 0.01 })`, { cause: err });
  }
  return [writeFileCommand(`${outputDir}/${BUNDLED_PRICE_TABLE}`, JSON.stringify(table))];
}

/** The reviewer directory the stack compiled its workflows with, as `reviewers.json`. */
export function directoryCommands(outputDir: string, directory: Directory): string[] {
  return [writeFileCommand(`${outputDir}/${BUNDLED_DIRECTORY}`, JSON.stringify(directory))];
}

/** The knowledge collections the stack was checked against, as `collections.json` (API). */
export function collectionsCommands(outputDir: string, collections: Collections): string[] {
  return [writeFileCommand(`${outputDir}/${BUNDLED_COLLECTIONS}`, JSON.stringify(collections))];
}

/** The releases the state machines were tagged with, as `releases.json` (API). */
export function releasesCommands(outputDir: string, releases: readonly Release[]): string[] {
  return [writeFileCommand(`${outputDir}/${BUNDLED_RELEASES}`, JSON.stringify(releases))];
}

/**
 * The workflows the state machines were compiled from, as `workflows/<id>.json`: each file's own
 * data, not the validated definition (defaults filled in), so the bundle reads it exactly as the
 * synth did. A definition that JSON cannot carry (a YAML value such as `.nan`) would get another
 * version on Lambda than its state machine: that fails here.
 */
export function workflowCommands(outputDir: string, workflows: readonly LoadedWorkflow[]): string[] {
  const dir = `${outputDir}/${BUNDLED_WORKFLOWS_DIR}`;
  return [
    `mkdir -p "${dir}"`,
    ...workflows.map((w) => {
      const json = JSON.stringify(yamlParser().parse(readFileSync(w.file, 'utf8')));
      const shipped = validateWorkflow(JSON.parse(json), `${w.definition.id}.json`);
      if (shipped.version !== w.version) {
        throw new Error(`${w.file}: reads differently as JSON (version ${shipped.version}, not ${w.version}); keep to values JSON can carry`);
      }
      return writeFileCommand(`${dir}/${w.definition.id}.json`, json);
    }),
  ];
}

/** `printf` rather than `echo`: the text goes out as is, backslashes included. */
function writeFileCommand(path: string, text: string): string {
  return `printf '%s\\n' '${text.replaceAll("'", `'\\''`)}' > "${path}"`;
}
