/**
 * A rollout's trajectories in the order of its task list. runMas appends each trajectory when its
 * task finishes, so the stored order is the order in which the server happened to answer; every
 * phase after the rollout (credit methods drawing tie-breaks from one seeded generator task after
 * task, suggestions pooled in task order, score sums) must see the same order on every run of the
 * same seed, or a seeded optimize run is not repeatable.
 */
import type { MasTask } from '../mas';
import type { Trajectory } from '../trajectory/schema';

export function inTaskOrder(trajectories: readonly Trajectory[], tasks: readonly Pick<MasTask, 'id'>[]): Trajectory[] {
  const position = new Map(tasks.map((t, i) => [t.id, i]));
  // A trajectory of a task not in the list (none is expected) keeps its place after the listed ones.
  const at = (t: Trajectory) => position.get(t.taskId) ?? tasks.length;
  return trajectories.map((t, i) => ({ t, i })).sort((a, b) => at(a.t) - at(b.t) || a.i - b.i).map((x) => x.t);
}
