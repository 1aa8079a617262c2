/**
 * The seeded train/val/test split.
 *
 * Method: every task gets a sort key sha256(`truce-split/1`, seed, task id); tasks are ordered by
 * that key and cut into consecutive blocks for train, val and test. Because the key depends only
 * on the seed and the id, the split is the same whatever order the file lists the tasks in, and
 * changing the seed reshuffles it. Block sizes:
 *  - ratios (each ≤ 1, summing to 1): n × ratio rounded down, the remaining tasks going one each
 *    to the splits with the largest fractional parts (ties: train, then val, then test), so the
 *    sizes always add up to n;
 *  - counts (whole numbers): taken as given; when the file has fewer tasks, later splits come up
 *    short (reported as a warning), and tasks beyond the counts belong to no split.
 */
import { createHash } from 'node:crypto';
import type { MasTask } from '../mas/types';

export const SPLITS = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

export interface SplitSpec {
  train: number;
  val: number;
  test: number;
}

export interface TaskSplit<T extends { id: string } = MasTask> {
  train: T[];
  val: T[];
  test: T[];
  /** Tasks that fall outside explicit counts. */
  unassigned: T[];
  warnings: string[];
}

const KEY_VERSION = 'truce-split/1';

function sortKey(seed: number, id: string): string {
  return createHash('sha256').update(`${KEY_VERSION}\0${seed}\0${id}`).digest('hex');
}

/** True when the spec is read as ratios: same rule as the truce.yaml schema. */
export function isRatioSpec(spec: SplitSpec): boolean {
  const values = [spec.train, spec.val, spec.test];
  return values.every((v) => v <= 1) && Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-9;
}

export function splitSizes(total: number, spec: SplitSpec): { sizes: SplitSpec; warnings: string[] } {
  const warnings: string[] = [];
  if (isRatioSpec(spec)) {
    const exact = SPLITS.map((s) => spec[s] * total);
    const sizes = exact.map(Math.floor);
    let left = total - sizes.reduce((a, b) => a + b, 0);
    const order = [0, 1, 2].sort((a, b) => exact[b] - sizes[b] - (exact[a] - sizes[a]) || a - b);
    for (const i of order) {
      if (left <= 0) break;
      sizes[i] += 1;
      left -= 1;
    }
    return { sizes: { train: sizes[0], val: sizes[1], test: sizes[2] }, warnings };
  }
  for (const s of SPLITS) {
    if (!Number.isInteger(spec[s]) || spec[s] < 0) throw new RangeError(`split.${s} must be a whole number of tasks or a ratio, got ${spec[s]}`);
  }
  let left = total;
  const sizes = { train: 0, val: 0, test: 0 };
  for (const s of SPLITS) {
    sizes[s] = Math.min(spec[s], left);
    left -= sizes[s];
    if (sizes[s] < spec[s]) warnings.push(`split.${s} asks for ${spec[s]} tasks but only ${sizes[s]} are left for it`);
  }
  if (left > 0) warnings.push(`${left} of ${total} tasks are in no split (the split counts add up to ${spec.train + spec.val + spec.test})`);
  return { sizes, warnings };
}

export function splitTasks<T extends { id: string }>(tasks: readonly T[], spec: SplitSpec, seed: number): TaskSplit<T> {
  const keyed = tasks.map((task) => ({ task, key: sortKey(seed, task.id) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.task.id < b.task.id ? -1 : a.task.id > b.task.id ? 1 : 0));
  const ordered = keyed.map((k) => k.task);
  const { sizes, warnings } = splitSizes(ordered.length, spec);
  const train = ordered.slice(0, sizes.train);
  const val = ordered.slice(sizes.train, sizes.train + sizes.val);
  const test = ordered.slice(sizes.train + sizes.val, sizes.train + sizes.val + sizes.test);
  const unassigned = ordered.slice(sizes.train + sizes.val + sizes.test);
  return { train, val, test, unassigned, warnings };
}

/** Task id → split, for labelling trajectories and summaries. */
export function splitOf<T extends { id: string }>(split: TaskSplit<T>): Map<string, SplitName> {
  const map = new Map<string, SplitName>();
  for (const s of SPLITS) for (const t of split[s]) map.set(t.id, s);
  return map;
}
