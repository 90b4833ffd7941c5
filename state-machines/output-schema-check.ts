/**
 * Whether a generate step's `outputSchema` is a JSON Schema the gateway can check model output
 * against (functions/gateway/structured-output.ts converts it with zod's fromJSONSchema). Asked
 * where workflow files are read from YAML (the synth, the local runtime, the CLI); the converter is
 * loaded on first use through `require`, like the YAML parser (functions/shared/lazy-yaml.ts), so the
 * bundles that only read the synth's checked JSON (the API: about 45 KB) leave it out.
 */
import { createRequire } from 'node:module';

type Zod = typeof import('zod');
let zod: Zod | undefined;

/** What is wrong with the schema, or undefined when the gateway can check output against it. */
export function outputSchemaProblem(schema: Record<string, unknown>): string | undefined {
  zod ??= createRequire(import.meta.url)('zod') as Zod;
  try {
    zod.fromJSONSchema(schema as Parameters<Zod['fromJSONSchema']>[0], { registry: zod.registry() });
    return undefined;
  } catch (err) {
    return `outputSchema is not a JSON Schema Handrail can check: ${(err as Error).message}`;
  }
}
