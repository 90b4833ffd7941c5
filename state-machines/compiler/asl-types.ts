/** The subset of the Amazon States Language the compiler emits. */
export type JsonObject = { [key: string]: unknown };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string;
  Next: string;
}

export interface TaskState {
  Type: 'Task';
  Comment?: string;
  Resource: string;
  Parameters: JsonObject;
  ResultPath?: string | null;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Next?: string;
  End?: true;
}

export interface ChoiceState {
  Type: 'Choice';
  Comment?: string;
  Choices: JsonObject[];
  Default: string;
}

export interface PassState {
  Type: 'Pass';
  Comment?: string;
  Result?: unknown;
  ResultPath?: string;
  Next: string;
}

export interface SucceedState {
  Type: 'Succeed';
  Comment?: string;
}

export type State = TaskState | ChoiceState | PassState | SucceedState;

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, State>;
}
