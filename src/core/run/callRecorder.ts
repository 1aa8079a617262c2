/**
 * Receives every call record of a run: tags it with its task, holds it until the store exists (the
 * probe runs before), then appends it; and notices errors that must stop the run.
 */
import type { LlmCallRecord } from '../llm';
import type { RunStore, StoredCallRecord } from '../store';
import { interruptionFor } from './stopReasons';
import type { TaskContext, TaskInterruption, TaskScope } from './taskContext';

export class CallRecorder {
  readonly all: StoredCallRecord[];
  private store: RunStore | undefined;
  private readonly held: StoredCallRecord[] = [];
  interruption: TaskInterruption | undefined;
  onInterruption: ((interruption: TaskInterruption) => void) | undefined;

  constructor(
    private readonly context: TaskContext,
    before: readonly StoredCallRecord[],
  ) {
    this.all = [...before];
  }

  /** `taskScope`: the task of a call made outside the task's async context (the gateway's, the spans'). */
  record(record: LlmCallRecord, taskScope?: TaskScope): void {
    const scope = taskScope ?? this.context.current();
    const stored: StoredCallRecord = scope ? { ...record, taskId: scope.taskId } : { ...record };
    this.all.push(stored);
    if (this.store) this.store.appendCalls(stored).catch(() => undefined);
    else this.held.push(stored);
    const interruption = interruptionFor(record.error);
    if (!interruption) return;
    if (scope) scope.interruption ??= interruption;
    if (!this.interruption) {
      this.interruption = interruption;
      this.onInterruption?.(interruption);
    }
  }

  /** A run-stopping problem found outside the call records (a response-cache write that failed). */
  interrupt(interruption: TaskInterruption): void {
    if (this.interruption) return;
    this.interruption = interruption;
    this.onInterruption?.(interruption);
  }

  async attach(store: RunStore): Promise<void> {
    this.store = store;
    await store.appendCalls(...this.held.splice(0));
    // The probe's errors made setup fail; none of them should stop the run that follows.
    this.interruption = undefined;
  }
}
