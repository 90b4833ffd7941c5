/**
 * The wait journal: what the local engine needs to resume `.waitForTaskToken` states after a
 * restart (on AWS the service holds the wait; locally the engine must).
 *
 * `waits.jsonl` in the persistence directory gets one line when a top-level waiting state has
 * issued its token and invoked its function, and one `{"closed": token}` line when that token
 * closes (success, failure, timeout, or its execution closing). Writes are appends to an open
 * O_APPEND descriptor, so they survive the process being killed (not fsynced: an OS crash may
 * lose the last lines). On startup, and after every `compactAfterBytes` appended, the journal is
 * compacted to the waits still open.
 *
 * Definitions are stored once per content hash in `definitions/`, so a resumed execution keeps
 * the definition it started with even if the state machine was changed in between, as on AWS.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionRecord, Json, StateMachineRecord } from './types.js';

export interface WaitEntry {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  /** The execution input, as the canonical JSON text DescribeExecution returns. */
  readonly executionInput: string;
  /** ISO timestamp of the original start. */
  readonly startDate: string;
  readonly stateName: string;
  /** The waiting state's raw input (before InputPath and Parameters). */
  readonly stateInput: Json;
  readonly token: string;
  /** When the state times out (ms since the epoch), or null when its timeout could not be resolved. */
  readonly deadline: number | null;
  /** Content hash of the definition the execution runs (a file in `definitions/`). */
  readonly definition: string;
}

interface ClosedLine {
  readonly closed: string;
}

const JOURNAL = 'waits.jsonl';
const DEFINITIONS = 'definitions';

export class WaitJournal {
  private readonly file: string;
  private fd: number | undefined;
  private readonly definitionsDir: string;
  /** Tokens with an open line in the journal: only these get a closing line. */
  private readonly open = new Set<string>();
  private readonly hashes = new WeakMap<StateMachineRecord, string>();
  private recovered: WaitEntry[];
  private bytesSinceCompaction = 0;

  /** `compactAfterBytes`: a long-running engine also compacts once it has appended this much. */
  constructor(
    dir: string,
    private readonly compactAfterBytes = 64 * 1024 * 1024,
  ) {
    this.definitionsDir = join(dir, DEFINITIONS);
    mkdirSync(this.definitionsDir, { recursive: true });
    this.file = join(dir, JOURNAL);
    this.recovered = this.compact();
    for (const entry of this.recovered) this.open.add(entry.token);
  }

  /** The waits that were open at startup; returned once (the caller resumes or drops them). */
  takeRecovered(): WaitEntry[] {
    const entries = this.recovered;
    this.recovered = [];
    return entries;
  }

  /** Journals an open wait; synchronous, so it is on disk (in the OS) when this returns. */
  opened(exec: ExecutionRecord, stateName: string, stateInput: Json, token: string, deadline: number | undefined): void {
    if (this.fd === undefined) return;
    const entry: WaitEntry = {
      executionArn: exec.executionArn,
      stateMachineArn: exec.stateMachine.stateMachineArn,
      name: exec.name,
      executionInput: exec.input,
      startDate: exec.startDate.toISOString(),
      stateName,
      stateInput,
      token,
      deadline: deadline ?? null,
      definition: this.saveDefinition(exec.stateMachine),
    };
    this.open.add(token);
    this.append(entry);
  }

  closed(token: string): void {
    if (!this.open.delete(token)) return;
    const line: ClosedLine = { closed: token };
    this.append(line);
  }

  /** The definition text stored under `hash`, if any. */
  definition(hash: string): string | undefined {
    const file = join(this.definitionsDir, `${hash}.json`);
    return /^[0-9a-f]{16}$/.test(hash) && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** Stops journaling (later opens and closes are not recorded). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: WaitEntry | ClosedLine): void {
    if (this.fd === undefined) return;
    const text = `${JSON.stringify(line)}\n`;
    writeSync(this.fd, text);
    this.bytesSinceCompaction += text.length;
    if (this.bytesSinceCompaction >= this.compactAfterBytes) this.compact();
  }

  /** Rewrites the journal with only its open waits (atomically: rename), then appends from there. */
  private compact(): WaitEntry[] {
    if (this.fd !== undefined) closeSync(this.fd);
    const entries = existsSync(this.file) ? openWaits(readFileSync(this.file, 'utf8')) : [];
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.bytesSinceCompaction = 0;
    return entries;
  }

  /** Hashes a definition once per state machine record, writing its file the first time. */
  private saveDefinition(machine: StateMachineRecord): string {
    let hash = this.hashes.get(machine);
    if (hash === undefined) {
      hash = createHash('sha256').update(machine.definitionText).digest('hex').slice(0, 16);
      const file = join(this.definitionsDir, `${hash}.json`);
      if (!existsSync(file)) {
        writeFileSync(`${file}.tmp`, machine.definitionText);
        renameSync(`${file}.tmp`, file);
      }
      this.hashes.set(machine, hash);
    }
    return hash;
  }
}

/** Folds the journal's lines into the waits still open, in the order they were opened. */
function openWaits(text: string): WaitEntry[] {
  const open = new Map<string, WaitEntry>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let parsed: Partial<WaitEntry & ClosedLine>;
    try {
      parsed = JSON.parse(line) as Partial<WaitEntry & ClosedLine>;
    } catch {
      continue; // a line cut short by a kill mid-write
    }
    if (typeof parsed.closed === 'string') open.delete(parsed.closed);
    else if (typeof parsed.token === 'string' && typeof parsed.executionArn === 'string') open.set(parsed.token, parsed as WaitEntry);
  }
  return [...open.values()];
}
