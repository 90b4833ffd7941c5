/**
 * Which stage of the pipeline a local runtime plays, and where its records are: `stage.json` in its
 * data folder, written when it starts (and its pid dropped when it stops). `npx handrail promote
 * --from <stage>` reads the stage before's evidence through it: from the running runtime's embedded
 * DynamoDB, or, when it is stopped, by opening its data folder itself.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalStage {
  /** The pipeline stage the runtime plays (HANDRAIL_PIPELINE_STAGE), or `local`. */
  readonly stage: string;
  readonly url: string;
  /** While it runs: its process, and its embedded DynamoDB. */
  readonly pid?: number;
  readonly dynamodbEndpoint?: string;
  /** The tables a promotion reads evidence from, by the variable the records modules read. */
  readonly tables: Record<string, string>;
}

const FILE = 'stage.json';
export { EVIDENCE_TABLES } from '../functions/releases/promotion-evidence.js';

export function writeLocalStage(dataDir: string, stage: LocalStage): void {
  writeFileSync(join(dataDir, FILE), `${JSON.stringify(stage, null, 2)}\n`);
}

export function readLocalStage(dataDir: string): LocalStage | undefined {
  const file = join(dataDir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as LocalStage) : undefined;
}

/** The data folder a local runtime playing `stage` uses unless HANDRAIL_DATA_DIR says otherwise. */
export const localStageDir = (stage: string | undefined): string => (stage ? `.handrail-${stage}` : '.handrail');
