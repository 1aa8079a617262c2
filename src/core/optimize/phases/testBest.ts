/**
 * After the last round: the initial and the best prompt set on the held-out test split (the best
 * set is not run again when it is the initial one). Test scores never decide anything.
 */
import { mean } from '../meanScore';
import type { OptimizeRun } from './runState';

export async function testBest(run: OptimizeRun): Promise<void> {
  const { rounds, split, setHash, emit } = run.settings;
  const { test } = run.outcome;
  emit({ type: 'stage', round: rounds, stage: 'test' });
  if (split.test.length) {
    const initialTest = await run.rollouts.run(run.initialTexts, split.test, 'test', rounds + 1);
    test.before = mean(initialTest.scores);
    const same = (await setHash(run.best)) === (await setHash(run.initialTexts));
    test.after = same ? test.before : mean((await run.rollouts.run(run.best, split.test, 'test', rounds + 1)).scores);
  }
}
