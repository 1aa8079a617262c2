/** Algorithm 1, line 3: sample a batch of train tasks, seeded by (seed, "batch", round). */
import type { MasTask } from '../../mas';
import { derivedRandom, sampleBatch } from '../random';
import type { RoundStart, Sampled } from './roundState';
import type { OptimizeRun, OptimizeSettings } from './runState';

/** The batch of round k (the spend projection asks for round 1's before the run starts). */
export function batchOf(settings: Pick<OptimizeSettings, 'split' | 'batchSize' | 'seed'>, k: number): MasTask[] {
  return sampleBatch(settings.split.train, settings.batchSize, derivedRandom(settings.seed, 'batch', k));
}

export function sampleTasks(run: OptimizeRun, round: RoundStart): Sampled {
  return { ...round, batch: batchOf(run.settings, round.k) };
}
