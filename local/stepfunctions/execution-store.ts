/**
 * Executions kept in memory; memory stays bounded by evicting the oldest closed executions.
 * Executions outlive a restart or an eviction only through the engine's journal (journal.ts).
 */
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { ExecutionRecord } from './types.js';

export class ExecutionStore {
  // Map iteration order is insertion order: start order here, close order in `closedOrder`.
  private readonly byArn = new Map<string, ExecutionRecord>();
  private readonly closedOrder = new Set<string>();

  constructor(
    private readonly maxClosed: number,
    private readonly onEvict: (exec: ExecutionRecord) => void,
  ) {}

  get(executionArn: string): ExecutionRecord | undefined {
    return this.byArn.get(executionArn);
  }

  add(exec: ExecutionRecord): void {
    this.byArn.set(exec.executionArn, exec);
  }

  /**
   * Puts a redriven execution's new attempt in place of its closed one (or back, once evicted): it
   * runs again, so it is no longer among the closed executions that eviction picks from.
   */
  reopen(exec: ExecutionRecord): void {
    this.closedOrder.delete(exec.executionArn);
    this.byArn.set(exec.executionArn, exec);
  }

  markClosed(exec: ExecutionRecord): void {
    this.closedOrder.add(exec.executionArn);
    while (this.closedOrder.size > this.maxClosed) {
      const oldest = this.closedOrder.values().next().value as string;
      this.closedOrder.delete(oldest);
      const evicted = this.byArn.get(oldest);
      this.byArn.delete(oldest);
      if (evicted) this.onEvict(evicted);
    }
  }

  /** Newest first, as ListExecutions orders them. */
  list(stateMachineArn: string, statusFilter?: ExecutionStatus): ExecutionRecord[] {
    const matches: ExecutionRecord[] = [];
    for (const exec of this.byArn.values()) {
      if (exec.stateMachine.stateMachineArn !== stateMachineArn) continue;
      if (statusFilter && exec.status !== statusFilter) continue;
      matches.push(exec);
    }
    return matches.reverse();
  }
}
