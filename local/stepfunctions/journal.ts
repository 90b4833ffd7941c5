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
 *   end     the execution closed; when FAILED, ABORTED or TIMED_OUT, with that status, its error,
 *           cause and stop date
 *   redrive it was redriven (RedriveExecution): it runs again from its last state, and the lines
 *           that follow are its new attempt's
 * Writes are appends to an O_APPEND descriptor, so they survive the process being killed (not
 * fsynced: an OS crash may lose the last lines). The journal keeps the latest lines of each open
 * execution in memory, and compacts the file to them on startup and whenever it has grown past
 * `compactAfterBytes` and twice what is live.
 *
 * Executions that succeed leave nothing behind. Those that close FAILED, ABORTED or TIMED_OUT stay
 * redrivable for 14 days, as on AWS, even after a restart or once the engine has evicted them from
 * memory: their start, last state and end lines are kept (in memory too, so compaction can rewrite
 * them) until compaction finds them older than that. `recover()` never continues them; a redrive
 * (`redriven`) makes them open again.
 *
 * Definitions are stored once per content hash in `definitions/`, so a continued execution keeps
 * the definition it started with even if the state machine was changed in between, as on AWS.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isRedrivableStatus, REDRIVE_PERIOD_MS, type RedrivableStatus } from './redrive.js';
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
  /** Its latest redrive, if it was redriven: how many so far, when (ISO), with which client token. */
  readonly redrive?: { readonly count: number; readonly date: string; readonly clientToken?: string };
}

/** An execution that closed FAILED, ABORTED or TIMED_OUT, as RedriveExecution needs it. */
export interface RedrivableExecution extends Omit<RecoveredExecution, 'wait'> {
  readonly status: RedrivableStatus;
  readonly error?: string;
  readonly cause?: string;
  /** ISO timestamp of when it closed. */
  readonly stopDate: string;
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
  | EndLine
  | RedriveLine;

/** `s`, `d`, `er`, `c`: status, stop date, error and cause of an execution that closed unsuccessfully. */
type EndLine = { t: 'end'; e: string; s?: RedrivableStatus; d?: string; er?: string; c?: string };
type RedriveLine = { t: 'redrive'; e: string; n: number; d: string; ct?: string };

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
  /** Its latest redrive line, if it was redriven. */
  redrive?: { line: RedriveLine; text: string };
  /** Its end line, once it closed unsuccessfully (it is then in `redrivable`, no longer in `live`). */
  end?: { line: EndLine & { s: RedrivableStatus; d: string }; text: string };
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
  /** Executions that closed FAILED, ABORTED or TIMED_OUT in the last 14 days. */
  private readonly redrivable = new Map<string, LiveExecution>();
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

  /**
   * The execution entered a top-level state with this raw input (`inputText`: it as JSON, when the
   * caller has it). Also taken for a stopped execution whose states entered before the stop are
   * still being reported: they are where a redrive continues.
   */
  entered(executionArn: string, stateName: string, input: Json, inputText = JSON.stringify(input)): void {
    if (!this.live.has(executionArn) && !this.redrivable.has(executionArn)) return;
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

  /** The execution closed: with `closed` FAILED, ABORTED or TIMED_OUT it stays redrivable, otherwise it is forgotten. */
  ended(executionArn: string, closed?: Pick<ExecutionRecord, 'status' | 'stopDate' | 'error' | 'cause'>): void {
    if (!this.live.has(executionArn)) return;
    if (!closed || !isRedrivableStatus(closed.status)) {
      this.record({ t: 'end', e: executionArn });
      return;
    }
    this.record({
      t: 'end', e: executionArn, s: closed.status, d: (closed.stopDate ?? new Date()).toISOString(),
      ...(closed.error !== undefined ? { er: closed.error } : {}),
      ...(closed.cause !== undefined ? { c: closed.cause } : {}),
    });
  }

  /**
   * The execution was redriven: open again, continuing at its last state. `exec` is its new
   * attempt; should the journal not know it (it closed before the journal was opened), it is
   * journaled from `exec` first.
   */
  redriven(exec: ExecutionRecord, clientToken: string | undefined): void {
    const { executionArn, lastState } = exec;
    if (!this.live.has(executionArn) && !this.redrivable.has(executionArn)) {
      this.started(exec);
      if (lastState) this.entered(executionArn, lastState.name, JSON.parse(lastState.input) as Json, lastState.input);
    }
    this.record({
      t: 'redrive', e: executionArn, n: exec.redriveCount ?? 1, d: (exec.redriveDate ?? new Date()).toISOString(),
      ...(clientToken !== undefined ? { ct: clientToken } : {}),
    });
  }

  /** A redrivable execution the journal keeps (closed FAILED, ABORTED or TIMED_OUT in the last 14 days). */
  redrivableExecution(executionArn: string): RedrivableExecution | undefined {
    const exec = this.redrivable.get(executionArn);
    if (!exec?.end) return undefined;
    const { wait: _none, ...described } = this.describe(exec);
    const { s: status, d: stopDate, er: error, c: cause } = exec.end.line;
    return { ...described, status, stopDate, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
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

  /** How many closed executions are kept for RedriveExecution (for tests and the soak report). */
  get redrivableExecutions(): number {
    return this.redrivable.size;
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
        const exec = this.live.get(line.e) ?? this.redrivable.get(line.e);
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
      case 'end': {
        const exec = this.live.get(line.e);
        if (!exec || line.s === undefined || line.d === undefined) {
          this.dropExecution(line.e);
          return;
        }
        // Closed unsuccessfully: kept for a redrive, without its tokens (all closed with it).
        for (const token of [...exec.tokens]) this.dropToken(token);
        this.live.delete(line.e);
        exec.end = { line: { ...line, s: line.s, d: line.d }, text };
        this.redrivable.set(line.e, exec);
        this.liveBytes += text.length;
        return;
      }
      case 'redrive': {
        const exec = this.redrivable.get(line.e) ?? this.live.get(line.e);
        if (!exec) return;
        this.redrivable.delete(line.e);
        this.liveBytes += text.length - (exec.redrive?.text.length ?? 0) - (exec.end?.text.length ?? 0);
        exec.end = undefined;
        exec.redrive = { line, text };
        this.live.set(line.e, exec);
      }
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
    const exec = this.live.get(executionArn) ?? this.redrivable.get(executionArn);
    if (!exec) return;
    for (const token of [...exec.tokens]) this.dropToken(token);
    this.live.delete(executionArn);
    this.redrivable.delete(executionArn);
    this.liveBytes -= exec.startText.length + (exec.state?.text.length ?? 0) + (exec.redrive?.text.length ?? 0) + (exec.end?.text.length ?? 0);
  }

  private describe(exec: LiveExecution): RecoveredExecution {
    const { start, state, redrive } = exec;
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
      ...(redrive ? { redrive: { count: redrive.line.n, date: redrive.line.d, ...(redrive.line.ct !== undefined ? { clientToken: redrive.line.ct } : {}) } } : {}),
    };
  }

  /**
   * Rewrites the journal with the lines of open executions and of redrivable ones only
   * (atomically: rename), then appends from there. Redrivable executions closed more than 14 days
   * ago are dropped here.
   */
  private compact(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    const horizon = Date.now() - REDRIVE_PERIOD_MS;
    for (const [executionArn, exec] of this.redrivable) {
      if (!(Date.parse(exec.end!.line.d) >= horizon)) this.dropExecution(executionArn);
    }
    const lines: string[] = [];
    for (const exec of [...this.live.values(), ...this.redrivable.values()]) {
      lines.push(exec.startText);
      if (exec.redrive) lines.push(exec.redrive.text);
      if (exec.state) lines.push(exec.state.text);
      for (const token of exec.tokens) {
        const live = this.tokens.get(token)!;
        lines.push(live.text);
        if (live.issued) lines.push(JSON.stringify({ t: 'issued', k: token } satisfies Line));
      }
      if (exec.end) lines.push(exec.end.text);
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
