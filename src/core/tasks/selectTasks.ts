/**
 * The tasks one run executes: those of the chosen split (or of every split), in the order the
 * task file lists them, cut to `limit`. File order makes `--limit 5` mean "the first five tasks",
 * which is what a user checking a setup expects; the split itself does not depend on that order.
 */
import { splitOf, type SplitName, type TaskSplit } from './splitTasks';

export interface SelectedTask {
  id: string;
  split: SplitName;
}

export function selectTasks<T extends { id: string }>(tasks: readonly T[], split: TaskSplit<T>, only?: SplitName, limit?: number): SelectedTask[] {
  const assigned = splitOf(split);
  const chosen: SelectedTask[] = [];
  for (const task of tasks) {
    const s = assigned.get(task.id);
    if (s === undefined || (only !== undefined && s !== only)) continue;
    chosen.push({ id: task.id, split: s });
    if (limit !== undefined && chosen.length >= limit) break;
  }
  return chosen;
}
