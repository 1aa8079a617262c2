/**
 * Which task an LLM call belongs to. The LLM layer reports calls through one callback per run with
 * no task in it; running each task inside its own async context lets that callback attribute each
 * call record to its task, and lets a call's error (budget, endpoint down) mark the task that hit it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface TaskInterruption {
  status: 'stopped-budget' | 'failed';
  reason: string;
}

export interface TaskScope {
  taskId: string;
  /** Set when one of the task's calls hit a run-stopping error; the task is then not scored. */
  interruption?: TaskInterruption;
}

export class TaskContext {
  private readonly storage = new AsyncLocalStorage<TaskScope>();

  run<T>(taskId: string, body: (scope: TaskScope) => Promise<T>): Promise<T> {
    const scope: TaskScope = { taskId };
    return this.storage.run(scope, () => body(scope));
  }

  current(): TaskScope | undefined {
    return this.storage.getStore();
  }
}
