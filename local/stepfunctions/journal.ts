/**
 * The execution journal: what the local engine needs to continue its executions after a restart,
 * even after SIGKILL (on AWS, Standard workflows are durable in the service; locally the engine
 * must be).
 *
 * `executions.jsonl` in the persistence directory gets one line per transition that matters:
 *   start   an execution started (its state machine, name, input, start date, definition hash)
 *   state   it entered a top-level state, with that state's raw input (so the states before it
 *           are never run again: their results are in this input)
 *   token   a `.waitForTaskToken` state minted its token, before its function is invoked
 *   issued  that function returned: the state now only waits for the token
 *   closed  a token closed (success, failure, timeout, or its execution closing)
 *   end     the execution closed
 * Writes are appends to an O_APPEND descriptor, so they survive the process being killed (not
 * fsynced: an OS crash may lose the last lines). The journal keeps the latest lines of each open
 * execution in memory (closed executions leave nothing behind), and compacts the file to them on
 * startup and whenever it has grown past `compactAfterBytes` and twice what is live.
 *
 * Definitions are stored once per content hash in `definitions/`, so a continued execution keeps
 * the definition it started with even if the state machine was changed in between, as on AWS.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionRecord, Json, StateMachineRecord } from './types.js';

/** An execution that was open when the journal was last written, as far as it got. */
export interface RecoveredExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  /** The execution input, as the canonical JSON text DescribeExecution returns. */
  readonly input: string;
  /** ISO timestamp of the original start. */
  readonly startDate: string;
  /** Content hash of the definition the execution runs (a file in `definitions/`). */
  readonly definition: string;
  /** The version it runs and the alias it was started through, if any. */
  readonly versionArn?: string;
  readonly aliasArn?: string;
  /** The last top-level state it entered, with that state's raw input (none: it had just started). */
  readonly state?: { readonly name: string; readonly input: Json };
  /** The open task token of that state, if it is a `.waitForTaskToken` state that minted one. */
  readonly wait?: RecoveredWait;
}

export interface RecoveredWait {
  readonly token: string;
  /** When the state times out (ms since the epoch), or null when its timeout could not be resolved. */
  readonly deadline: number | null;
  /** Whether its function returned before the restart (then it is not invoked again). */
  readonly issued: boolean;
}

type Line =
  | { t: 'start'; e: string; m: string; n: string; i: string; d: string; h: string; v?: string; a?: string }
  | { t: 'state'; e: string; s: string; in: Json }
  | { t: 'token'; e: string; s: string; k: string; dl: number | null }
  | { t: 'issued'; k: string }
  | { t: 'closed'; k: string }
  | { t: 'end'; e: string };

interface LiveToken {
  readonly executionArn: string;
  readonly stateName: string;
  readonly deadline: number | null;
  readonly text: string;
  issued: boolean;
}

interface LiveExecution {
  readonly start: Extract<Line, { t: 'start' }>;
  readonly startText: string;
  state?: { name: string; input: Json; text: string };
  readonly tokens: Set<string>;
}

const JOURNAL = 'executions.jsonl';
/** The journal of earlier versions, which only recorded waits; migrated on startup. */
const LEGACY_WAITS = 'waits.jsonl';
const DEFINITIONS = 'definitions';

export class ExecutionJournal {
  private readonly file: string;
  private fd: number | undefined;
  private readonly definitionsDir: string;
  private readonly live = new Map<string, LiveExecution>();
  private readonly tokens = new Map<string, LiveToken>();
  private readonly hashes = new WeakMap<StateMachineRecord, string>();
  private recovered: RecoveredExecution[];
  private bytesSinceCompaction = 0;
  private liveBytes = 0;

  /** `compactAfterBytes`: a long-running engine compacts once it has appended this much (and twice what is live). */
  constructor(
    private readonly dir: string,
    private readonly compactAfterBytes = 64 * 1024 * 1024,
  ) {
    this.definitionsDir = join(dir, DEFINITIONS);
    mkdirSync(this.definitionsDir, { recursive: true });
    this.file = join(dir, JOURNAL);
    if (existsSync(this.file)) for (const line of readFileSync(this.file, 'utf8').split('\n')) this.applyText(line);
    this.migrateLegacyWaits();
    this.recovered = [...this.live.values()].map((exec) => this.describe(exec));
    this.compact();
  }

  /** The executions that were open at startup; returned once (the caller continues or ends them). */
  takeRecovered(): RecoveredExecution[] {
    const entries = this.recovered;
    this.recovered = [];
    return entries;
  }

  started(exec: ExecutionRecord): void {
    this.record({
      t: 'start', e: exec.executionArn, m: exec.stateMachine.stateMachineArn, n: exec.name, i: exec.input,
      d: exec.startDate.toISOString(), h: this.saveDefinition(exec.stateMachine),
      ...(exec.stateMachineVersionArn ? { v: exec.stateMachineVersionArn } : {}),
      ...(exec.stateMachineAliasArn ? { a: exec.stateMachineAliasArn } : {}),
    });
  }

  /** The execution entered a top-level state with this raw input (`inputText`: it as JSON, when the caller has it). */
  entered(executionArn: string, stateName: string, input: Json, inputText = JSON.stringify(input)): void {
    if (!this.live.has(executionArn)) return;
    const line: Line = { t: 'state', e: executionArn, s: stateName, in: input };
    this.record(line, `{"t":"state","e":${JSON.stringify(executionArn)},"s":${JSON.stringify(stateName)},"in":${inputText}}`);
  }

  /** A waiting state minted `token`; written before its function is invoked. */
  tokenMinted(executionArn: string, stateName: string, token: string, deadline: number | undefined): void {
    if (this.live.has(executionArn)) this.record({ t: 'token', e: executionArn, s: stateName, k: token, dl: deadline ?? null });
  }

  /** The waiting state's function returned: after a restart it is not invoked again. */
  issued(token: string): void {
    if (this.tokens.get(token)?.issued === false) this.record({ t: 'issued', k: token });
  }

  closed(token: string): void {
    if (this.tokens.has(token)) this.record({ t: 'closed', k: token });
  }

  ended(executionArn: string): void {
    if (this.live.has(executionArn)) this.record({ t: 'end', e: executionArn });
  }

  /** The definition text stored under `hash`, if any. */
  definition(hash: string): string | undefined {
    const file = join(this.definitionsDir, `${hash}.json`);
    return /^[0-9a-f]{16}$/.test(hash) && existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** Stops journaling (later transitions are not recorded): what a SIGKILL leaves behind. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** How many executions are open (for tests and the soak report). */
  get openExecutions(): number {
    return this.live.size;
  }

  private record(line: Line, text = JSON.stringify(line)): void {
    if (this.fd === undefined) return;
    this.apply(line, text);
    writeSync(this.fd, `${text}\n`);
    this.bytesSinceCompaction += text.length + 1;
    if (this.bytesSinceCompaction >= Math.max(this.compactAfterBytes, 2 * this.liveBytes)) this.compact();
  }

  private applyText(text: string): void {
    if (text === '') return;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      return; // a line cut short by a kill mid-write
    }
    if (line && typeof line === 'object' && typeof line.t === 'string') this.apply(line, text);
  }

  /** Folds one line into the live state (the same code replays the file and follows new writes). */
  private apply(line: Line, text: string): void {
    switch (line.t) {
      case 'start':
        this.dropExecution(line.e);
        this.live.set(line.e, { start: line, startText: text, tokens: new Set() });
        this.liveBytes += text.length;
        return;
      case 'state': {
        const exec = this.live.get(line.e);
        if (!exec) return;
        this.liveBytes += text.length - (exec.state?.text.length ?? 0);
        exec.state = { name: line.s, input: line.in, text };
        return;
      }
      case 'token': {
        const exec = this.live.get(line.e);
        if (!exec) return;
        exec.tokens.add(line.k);
        this.tokens.set(line.k, { executionArn: line.e, stateName: line.s, deadline: line.dl, text, issued: false });
        this.liveBytes += text.length;
        return;
      }
      case 'issued': {
        const token = this.tokens.get(line.k);
        if (token) token.issued = true;
        return;
      }
      case 'closed':
        this.dropToken(line.k);
        return;
      case 'end':
        this.dropExecution(line.e);
    }
  }

  private dropToken(token: string): void {
    const live = this.tokens.get(token);
    if (!live) return;
    this.tokens.delete(token);
    this.live.get(live.executionArn)?.tokens.delete(token);
    this.liveBytes -= live.text.length;
  }

  private dropExecution(executionArn: string): void {
    const exec = this.live.get(executionArn);
    if (!exec) return;
    for (const token of [...exec.tokens]) this.dropToken(token);
    this.live.delete(executionArn);
    this.liveBytes -= exec.startText.length + (exec.state?.text.length ?? 0);
  }

  private describe(exec: LiveExecution): RecoveredExecution {
    const { start, state } = exec;
    let wait: RecoveredWait | undefined;
    for (const token of exec.tokens) {
      const live = this.tokens.get(token)!;
      if (live.stateName === state?.name) wait = { token, deadline: live.deadline, issued: live.issued };
    }
    return {
      executionArn: start.e, stateMachineArn: start.m, name: start.n, input: start.i, startDate: start.d, definition: start.h,
      ...(start.v ? { versionArn: start.v } : {}),
      ...(start.a ? { aliasArn: start.a } : {}),
      ...(state ? { state: { name: state.name, input: state.input } } : {}),
      ...(wait ? { wait } : {}),
    };
  }

  /** Rewrites the journal with the lines of open executions only (atomically: rename), then appends from there. */
  private compact(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    const lines: string[] = [];
    for (const exec of this.live.values()) {
      lines.push(exec.startText);
      if (exec.state) lines.push(exec.state.text);
      for (const token of exec.tokens) {
        const live = this.tokens.get(token)!;
        lines.push(live.text);
        if (live.issued) lines.push(JSON.stringify({ t: 'issued', k: token } satisfies Line));
      }
    }
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, lines.map((l) => `${l}\n`).join(''));
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.bytesSinceCompaction = 0;
  }

  /** Waits journaled by earlier versions (`waits.jsonl`) become executions waiting at their state. */
  private migrateLegacyWaits(): void {
    const legacy = join(this.dir, LEGACY_WAITS);
    if (!existsSync(legacy)) return;
    const open = new Map<string, LegacyWait>();
    for (const text of readFileSync(legacy, 'utf8').split('\n')) {
      let parsed: Partial<LegacyWait> & { closed?: string };
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        continue;
      }
      if (typeof parsed.closed === 'string') open.delete(parsed.closed);
      else if (typeof parsed.token === 'string' && typeof parsed.executionArn === 'string') open.set(parsed.token, parsed as LegacyWait);
    }
    for (const w of open.values()) {
      const lines: Line[] = [
        { t: 'start', e: w.executionArn, m: w.stateMachineArn, n: w.name, i: w.executionInput, d: w.startDate, h: w.definition },
        { t: 'state', e: w.executionArn, s: w.stateName, in: w.stateInput },
        { t: 'token', e: w.executionArn, s: w.stateName, k: w.token, dl: w.deadline },
        { t: 'issued', k: w.token },
      ];
      for (const line of lines) this.apply(line, JSON.stringify(line));
    }
    // The new journal is written (compact) before the old one goes.
    this.compact();
    rmSync(legacy, { force: true });
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

/** A line of the legacy `waits.jsonl`. */
interface LegacyWait {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly executionInput: string;
  readonly startDate: string;
  readonly stateName: string;
  readonly stateInput: Json;
  readonly token: string;
  readonly deadline: number | null;
  readonly definition: string;
}
