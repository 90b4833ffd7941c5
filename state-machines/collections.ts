/**
 * The knowledge collections (`state-machines/collections.yaml`): for each, who may write it (people
 * of the reviewer directory, `group:<name>` allowed) and which workflows may read it. Checked
 * against the workflows when the app is synthesized (a workflow reading a collection that does not
 * name it fails the synth, naming the file and step), enforced by the API on every knowledge write
 * and listing (functions/knowledge/collection-access.ts), and in IAM on AWS: each workflow's
 * retrieve function may read only its collections' S3 prefixes and DynamoDB partitions
 * (infra/constructs/data-layer.ts). Shipped to the API as JSON (collections.json).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { collectionName } from '../functions/knowledge/validation.js';
import { readConfigFile } from './config-file.js';
import type { Directory } from './directory.js';
import { WorkflowDefinitionError, type LoadedWorkflow } from './load-workflow.js';

export const defaultCollectionsFile = resolve(fileURLToPath(new URL('.', import.meta.url)), 'collections.yaml');

const collectionSchema = z
  .object({
    description: z.string().max(500).optional(),
    /** People who may add versions (user ids or `group:<name>`); admins always may. */
    writers: z.array(z.string().min(1).max(320)).default([]),
    /** Workflows whose retrieve steps may read it. */
    readers: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a workflow id')).default([]),
    /**
     * Workflows whose deliver steps may add versions (a `knowledge` target: an approved knowledge
     * edit). On AWS only that workflow's deliver function may write the collection's prefix and partition.
     */
    publishers: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a workflow id')).default([]),
  })
  .strict();

export const collectionsSchema = z
  .object({
    collections: z
      .record(z.string(), collectionSchema)
      .default({})
      // Checked here rather than as the record's key schema, whose message would not say what a name may be.
      .superRefine((record, ctx) => {
        for (const name of Object.keys(record)) {
          const bad = collectionName.safeParse(name);
          if (!bad.success) ctx.addIssue({ code: 'custom', path: [name], message: `a collection name ${bad.error.issues[0]!.message}` });
        }
      }),
  })
  .strict();

export type Collections = z.infer<typeof collectionsSchema>;
export type Collection = z.infer<typeof collectionSchema>;

/** Reads and validates a collections file: YAML, or JSON when it ends in `.json`. */
export function loadCollections(file: string = defaultCollectionsFile): Collections {
  return readConfigFile(file, collectionsSchema, 'the knowledge collections');
}

/** The collections a workflow's retrieve steps read, sorted, each once. */
export function collectionsReadBy(workflow: LoadedWorkflow): string[] {
  return [...new Set(workflow.definition.steps.flatMap((s) => (s.kind === 'retrieve' ? [s.collection] : [])))].sort();
}

/** The collections a workflow's deliver steps write (knowledge edits), sorted, each once. */
export function collectionsWrittenBy(workflow: LoadedWorkflow): string[] {
  return [...new Set(workflow.definition.steps.flatMap((s) => (s.kind === 'deliver' && s.knowledge ? [s.knowledge.collection] : [])))].sort();
}

/** Issues of a workflow that writes knowledge: each collection it writes names it as a publisher, and whoever approves its edits may write the collection. */
function publishingIssues(collections: Collections, workflow: LoadedWorkflow, directory: Directory, file: string): string[] {
  const { steps, id } = workflow.definition;
  return steps.flatMap((step, i) => {
    if (step.kind !== 'deliver' || !step.knowledge) return [];
    const name = step.knowledge.collection;
    const declared = collections.collections[name];
    if (!declared) return [`steps[${i}] (${step.id}).knowledge.collection: "${name}" is not a declared collection; declare it in ${file} (known: ${Object.keys(collections.collections).join(', ') || 'none'})`];
    if (!declared.publishers.includes(id)) return [`steps[${i}] (${step.id}).knowledge.collection: "${name}" does not let this workflow write it; add ${id} to collections.${name}.publishers in ${file}`];
    // Whoever approves the edit is its author: every reviewer of every approval before it must be a writer.
    return steps.slice(0, i).flatMap((s, j) => {
      if (s.kind !== 'approval') return [];
      const refs = [...(s.reviewers ?? []), ...(s.parts ?? []).flatMap((p) => p.reviewers), ...s.escalation.flatMap((l) => l.reviewers)];
      const members = (ref: string) => (ref.startsWith('group:') ? (directory.groups[ref.slice('group:'.length)] ?? []) : [ref]);
      const outsiders = [...new Set(refs.flatMap(members).filter((m) => !isWriter(declared, directory, m)))];
      return outsiders.length ? [`steps[${j}] (${s.id}).reviewers: ${outsiders.join(', ')} may not write the collection "${name}" this workflow's edits go to; add them to collections.${name}.writers in ${file}`] : [];
    });
  });
}

/**
 * Every workflow reads only collections that are declared and name it as a reader; every writer
 * group exists in the directory. @throws WorkflowDefinitionError naming the file and what to add
 */
export function checkCollectionGrants(collections: Collections, workflows: readonly LoadedWorkflow[], directory: Directory, file = defaultCollectionsFile): void {
  for (const workflow of workflows) {
    const issues = workflow.definition.steps.flatMap((step, i) => {
      if (step.kind !== 'retrieve') return [];
      const declared = collections.collections[step.collection];
      if (!declared) return [`steps[${i}] (${step.id}).collection: "${step.collection}" is not a declared collection; declare it in ${file} (known: ${Object.keys(collections.collections).join(', ') || 'none'})`];
      if (!declared.readers.includes(workflow.definition.id)) return [`steps[${i}] (${step.id}).collection: "${step.collection}" does not let this workflow read it; add ${workflow.definition.id} to collections.${step.collection}.readers in ${file}`];
      return [];
    });
    issues.push(...publishingIssues(collections, workflow, directory, file));
    if (issues.length) throw new WorkflowDefinitionError(workflow.file, issues);
  }
  const unknownGroups = Object.entries(collections.collections).flatMap(([name, c]) =>
    c.writers.filter((w) => w.startsWith('group:') && !directory.groups[w.slice('group:'.length)]).map((w) => `collections.${name}.writers: no group "${w.slice(6)}" in the reviewer directory`),
  );
  if (unknownGroups.length) throw new WorkflowDefinitionError(file, unknownGroups);
}

/** Whether `userId` is one of the collection's writers (groups expanded with the directory). */
export function isWriter(collection: Collection, directory: Directory, userId: string): boolean {
  const id = userId.toLowerCase();
  return collection.writers.some((w) => (w.startsWith('group:') ? (directory.groups[w.slice('group:'.length)] ?? []) : [w]).some((member) => member.toLowerCase() === id));
}
