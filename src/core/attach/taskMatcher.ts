/**
 * Which task of a tasks file an attached trace was working on, so its answer can be scored against
 * that task's reference. The MAS runs on its own, outside TRUCE, so the link is made from what the
 * trace shows:
 *  1. a task id the spans name (`truce.task.id`) that the file has;
 *  2. the trace's input equal to a task's input, compared with whitespace and case folded;
 *  3. a task's input contained in the trace's input (frameworks wrap the question in a prompt or a
 *     JSON state); the longest such input wins, being the most specific. Inputs shorter than
 *     MIN_CONTAINED characters are not searched for: "yes" is inside too many prompts.
 */
import type { MasTask } from '../mas/types';
import type { Trajectory } from '../trajectory/schema';

export const MIN_CONTAINED = 12;

export interface TaskMatch {
  task: MasTask;
  by: 'id' | 'input' | 'contained-input';
}

export function normalizeInput(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

export class TaskMatcher {
  private readonly byId = new Map<string, MasTask>();
  private readonly byInput = new Map<string, MasTask>();
  /** Longest first, so the first contained one is the most specific. */
  private readonly searchable: Array<{ text: string; task: MasTask }>;

  constructor(tasks: readonly MasTask[]) {
    for (const task of tasks) {
      this.byId.set(task.id, task);
      const key = normalizeInput(task.input);
      // Two tasks with the same input: the first keeps it, as the file reads.
      if (key !== '' && !this.byInput.has(key)) this.byInput.set(key, task);
    }
    this.searchable = [...this.byInput]
      .filter(([text]) => text.length >= MIN_CONTAINED)
      .map(([text, task]) => ({ text, task }))
      .sort((a, b) => b.text.length - a.text.length);
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * `spanTaskId` is the task id the spans named, if any; the texts are the trace's own input and
   * its first user message, in that order.
   */
  match(spanTaskId: string | undefined, inputs: ReadonlyArray<string | undefined>): TaskMatch | undefined {
    if (spanTaskId !== undefined) {
      const task = this.byId.get(spanTaskId);
      if (task) return { task, by: 'id' };
    }
    const texts = inputs.filter((t): t is string => t !== undefined).map(normalizeInput).filter((t) => t !== '');
    for (const text of texts) {
      const task = this.byInput.get(text);
      if (task) return { task, by: 'input' };
    }
    for (const { text, task } of this.searchable) {
      if (texts.some((t) => t.includes(text))) return { task, by: 'contained-input' };
    }
    return undefined;
  }
}

/** The texts a trajectory offers for matching: the trace's input, then the first user message. */
export function inputsOf(trajectory: Trajectory): string[] {
  const out: string[] = [];
  if (trajectory.task?.input) out.push(trajectory.task.input);
  for (const step of trajectory.steps) {
    if (!Array.isArray(step.input)) continue;
    const user = step.input.find((m) => m.role === 'user');
    if (user) {
      out.push(user.content);
      break;
    }
  }
  return out;
}
