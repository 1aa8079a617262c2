/**
 * Sequential validation of prompt sets: the gate and the pruning test run each set on the
 * validation tasks a batch at a time, stop once the answer is clear, never ask a set for a task
 * twice, and drop a pruned item only when the set without it is safe and no worse.
 */
import { strict as assert } from 'node:assert';
import type { MasTask } from '../../../src/core/mas';
import { compareSequentially, pruneSequentially, type ScoresOn } from '../../../src/core/optimize/sequentialValidation';

const tasks: MasTask[] = Array.from({ length: 40 }, (_, i) => ({ id: `t${String(i).padStart(2, '0')}`, input: `task ${i}` }));

/** A prompt set with fixed per-task scores that remembers which tasks it was asked to run. */
function scoredSet(score: (i: number) => number): ScoresOn & { ran: string[] } {
  const ran: string[] = [];
  const known = new Map<string, number>();
  const set = async (shown: readonly MasTask[]) => {
    for (const t of shown) {
      if (!known.has(t.id)) {
        ran.push(t.id);
        known.set(t.id, score(Number(t.id.slice(1))));
      }
    }
    return new Map(shown.map((t) => [t.id, known.get(t.id) as number]));
  };
  return Object.assign(set, { ran });
}

const ALPHA = 0.1 / 3;

describe('sequential validation', () => {
  it('the gate stops at the task that decides and runs each task once per set', async () => {
    const previous = scoredSet(() => 0);
    const candidate = scoredSet((i) => (i % 4 === 3 ? 0 : 1));
    const run = await compareSequentially(tasks, 4, ALPHA, previous, candidate);
    assert.equal(run.verdict.stop, 'accepted');
    // 3 fixes in every 4 tasks; 6 fixes clear 1/α = 30 (e = 33.5). After 4 tasks (3 fixes) a
    // batch of 4 would run 1 task past the deciding one: the next batch is 3 tasks, the 6th fix.
    assert.deepEqual([run.ids.length, run.verdict.fixed, run.remaining], [7, 6, 33]);
    assert.deepEqual([previous.ran.length, candidate.ran.length], [7, 7]);
    assert.equal(new Set(candidate.ran).size, candidate.ran.length);
  });

  it('batches sized by the evidence so far still accept a no-better candidate at most α of the time', async function () {
    this.timeout(60_000);
    let state = 7;
    const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
    const alpha = 0.1;
    const runs = 300;
    let accepted = 0;
    for (let r = 0; r < runs; r++) {
      // A third of the tasks flip, as often for the worse as for the better.
      const flips = tasks.map(() => (random() < 1 / 3 ? (random() < 0.5 ? 1 : -1) : 0));
      const run = await compareSequentially(tasks, 8, alpha, scoredSet((i) => (flips[i] < 0 ? 1 : 0)), scoredSet((i) => (flips[i] > 0 ? 1 : 0)));
      if (run.verdict.stop === 'accepted') accepted++;
    }
    assert.ok(accepted / runs <= alpha, `false acceptances ${accepted}/${runs}`);
  });

  it('the gate gives up once acceptance is out of reach', async () => {
    const run = await compareSequentially(tasks.slice(0, 12), 4, ALPHA, scoredSet(() => 1), scoredSet((i) => (i < 4 ? 0 : 1)));
    assert.deepEqual([run.verdict.stop, run.ids.length], ['out-of-reach', 4]);
  });

  it('drops a ride-along item as soon as the set without it is shown better than the previous best', async () => {
    const fix = (i: number) => (i % 4 === 3 ? 0 : 1);
    const previous = scoredSet(() => 0);
    const withItem = scoredSet(fix);
    const withoutItem = scoredSet(fix);
    const test = await pruneSequentially(tasks, 4, ALPHA, 0.1, previous, withItem, withoutItem);
    assert.equal(test.drop, true, test.why);
    assert.equal(test.n, 7);
    assert.equal(test.againstPrevious.stop, 'accepted');
    assert.equal(withoutItem.ran.length, 7);
    assert.match(test.why, /still beats the previous best and scores 0\.857 vs 0\.857/);
  });

  it('keeps an item that helps, and stops as soon as that is clear', async () => {
    // The item fixes every even task; the rest of the candidate every task divisible by three.
    const previous = scoredSet(() => 0);
    const withItem = scoredSet((i) => (i % 2 === 0 || i % 3 === 0 ? 1 : 0));
    const withoutItem = scoredSet((i) => (i % 3 === 0 ? 1 : 0));
    const test = await pruneSequentially(tasks, 4, ALPHA, 0.1, previous, withItem, withoutItem);
    assert.equal(test.drop, false);
    assert.equal(test.itemHelps.stop, 'accepted');
    assert.ok(test.n < tasks.length, `ran ${test.n} tasks`);
    assert.match(test.why, /^the item helps: \d+ tasks better with it, 0 worse/);
  });

  it('keeps an item when the set without it cannot be shown better than the previous best', async () => {
    // Without the item nothing is fixed; with it, one task in ten: too rare to show that it helps.
    const test = await pruneSequentially(tasks.slice(0, 12), 4, ALPHA, 0.1, scoredSet(() => 0), scoredSet((i) => (i === 5 ? 1 : 0)), scoredSet(() => 0));
    assert.equal(test.drop, false);
    // Four tasks without a fix make a fix rate high enough for the other eight implausible.
    assert.deepEqual([test.againstPrevious.stop, test.n], ['futile', 4]);
    assert.match(test.why, /not shown to beat the previous best/);
  });

  it('keeps an item when the set without it beats the previous best but scores lower than the set with it', async () => {
    // Both beat the previous best on every task but the last of the first batch; there the item matters.
    const previous = scoredSet(() => 0);
    const withItem = scoredSet(() => 1);
    const withoutItem = scoredSet((i) => (i === 3 ? 0 : 1));
    const test = await pruneSequentially(tasks, 4, ALPHA, 0.1, previous, withItem, withoutItem);
    assert.equal(test.drop, false);
    assert.equal(test.againstPrevious.stop, 'accepted');
    assert.match(test.why, /beats the previous best but scores 0\.857 vs 1\.000 with it/);
  });
});
