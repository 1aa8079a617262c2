/**
 * Task pool phase: the tasks the run holds (a resumed run keeps the selection it started with) and
 * those this invocation still runs, with how many run at once.
 */
import type { MasTask } from '../../mas/types';
import { selectTasks, splitTasks, type SelectedTask } from '../../tasks';
import { RunSetupError } from '../runErrors';
import type { CarriedOver, PendingTask, RunInputs, TaskPlan } from './runState';

export function planTasks(inputs: RunInputs, before: CarriedOver): TaskPlan {
  const { options, config, tasks } = inputs;
  const split = splitTasks(tasks, config.tasks.split, config.tasks.seed);
  const selection: SelectedTask[] = before.run ? before.run.manifest.selection.tasks : selectTasks(tasks, split, options.split, options.limit);
  if (!selection.length) throw new RunSetupError(options.split ? `The ${options.split} split has no tasks; check tasks.split in truce.yaml.` : 'No tasks to run.');
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const finishedBefore = new Set(before.trajectories.map((t) => t.taskId));
  const pending: PendingTask[] = selection.filter((s) => !finishedBefore.has(s.id)).map((s) => ({ task: byId.get(s.id) as MasTask, split: s.split }));
  const concurrency = options.concurrency ?? config.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RunSetupError(`Concurrency must be a whole number of at least 1, got ${concurrency}.`);
  return { split, selection, pending, finishedBefore, concurrency };
}
