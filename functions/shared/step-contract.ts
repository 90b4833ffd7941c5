/**
 * The data that flows through a compiled state machine, and what each step handler receives and
 * returns. The compiler (state-machines/compiler) and the handlers (functions/steps) both use these
 * shapes; the ASL passes `{ step, keep, state }` as the Lambda payload.
 */
export interface RunRef {
  readonly runId: string;
  readonly workflowId: string;
  /** Content hash of the workflow definition the run executes. */
  readonly version: string;
  /** The release the state machine version serving the run was built from (its first state sets it). */
  readonly releaseId?: string;
  /** A replay of a recorded run (functions/replays/): nothing is delivered, nobody is asked. */
  readonly replay?: ReplayRef;
}

export interface ReplayRef {
  readonly replayId: string;
  /** The recorded run whose input it re-runs. */
  readonly of: string;
}

/** A passage of a knowledge document version that was retrieved for a run. */
export interface Passage {
  /** 1-based rank in this retrieval; drafts cite passages as [n]. */
  readonly n: number;
  readonly collection: string;
  readonly docId: string;
  readonly title: string;
  readonly version: number;
  readonly sha256: string;
  readonly s3Key: string;
  readonly s3VersionId?: string;
  /** `${docId}@v${version}#${index}`: stable id of the passage within that version. */
  readonly passageId: string;
  readonly text: string;
  readonly score: number;
}

/** The whole current text of a knowledge document version (a retrieve step's `wholeDocument`). */
export interface WholeDocument {
  readonly collection: string;
  readonly docId: string;
  readonly version: number;
  readonly title: string;
  readonly sha256: string;
  readonly text: string;
}

export interface RetrieveOutput {
  readonly query: string;
  readonly passages: Passage[];
  /** With `wholeDocument`: the collection searched (a proposal that finds no document starts a new one there). */
  readonly collection?: string;
  /** With `wholeDocument`: the best-matching document (the top passage's), when one matched. */
  readonly document?: WholeDocument;
}

/**
 * A generate step's proposed knowledge edit (`revise`): which document its text is a new version
 * of, and the version it was drafted against (0 and an empty text for a new document).
 */
export interface Revision {
  readonly collection: string;
  readonly docId: string;
  readonly baseVersion: number;
  readonly title: string;
  readonly baseText: string;
}

export interface GenerateOutput {
  readonly text: string;
  readonly provider: string;
  readonly model: string;
  /** Passage numbers ([n]) the draft cites. */
  readonly citations: number[];
  /** A proposed knowledge edit: the document the text is a new version of (`revise`). */
  readonly revision?: Revision;
}

export type DecisionAction = 'approve' | 'edit' | 'reject';

/** What SendTaskSuccess returns to an approval state: the decided text. */
export interface ApprovalOutcome {
  readonly approvalId: string;
  readonly stepId: string;
  readonly action: 'approve' | 'edit';
  readonly reviewer: string;
  /** The text to deliver: the draft, or the reviewer's edit of it. */
  readonly text: string;
  readonly originalText: string;
  readonly decidedAt: string;
  /** Multi-part approvals: each part's outcome (rejected parts are not in `text`). */
  readonly items?: { itemId: string; title: string; status: string; reviewer?: string; text?: string }[];
}

/**
 * What an approval state's wait returns into the execution state (`$.approval`): who decided what,
 * without the text, which stays on the approval record (resume-run.ts rebuilds the whole outcome).
 */
export type ApprovalRef = Omit<ApprovalOutcome, 'text' | 'originalText' | 'items'> & {
  readonly items?: { itemId: string; status: string; reviewer?: string }[];
};

/**
 * The execution state the compiled state machines carry: the run, the input fields and step
 * output fields their Choice states read (state-machines/compiler/state-paths.ts), the route
 * paths taken and the approval's reference. Kept small: the values themselves are on the records.
 */
export interface ExecutionState {
  readonly run: RunRef;
  readonly input: Record<string, unknown>;
  readonly steps: Record<string, unknown>;
  readonly approval?: ApprovalRef;
  readonly routes?: Record<string, string>;
}

/**
 * What a step sees (functions/steps/run-view.ts): the run's whole input, each earlier step's whole
 * output under its id, and the decided approval with its text, read back from the run's records.
 */
export interface StateData extends Omit<ExecutionState, 'approval'> {
  readonly approval?: ApprovalOutcome;
}

/** The Lambda payload every step handler receives. */
export interface StepEvent<TStep> {
  readonly step: TStep;
  /** Which paths of the step's output the state keeps (what later Choice states read). */
  readonly keep?: string[];
  readonly state: ExecutionState;
  /** Only for `.waitForTaskToken` states (approval). */
  readonly taskToken?: string;
}
