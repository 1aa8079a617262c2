import { strict as assert } from 'node:assert';
import { HEARING_GRACE_MS, MISSES_BEFORE_BLIND, WatcherHearing } from '../../../src/extension/watch/watcherHearing';

const LOOK_MS = 1500;

/** The poller found a change at `path` in the look at `t`, the previous look having been at `t - LOOK_MS`. */
function found(hearing: WatcherHearing, path: string, t: number): boolean {
  return hearing.polled(path, t - LOOK_MS, t);
}

describe('WatcherHearing: is VS Code’s file watcher reporting anything?', () => {
  it('changes no event ever reported make the watcher blind, said exactly once', () => {
    const hearing = new WatcherHearing();
    const verdicts: boolean[] = [];
    // One new file per look, none heard; a change counts as missed once its grace has run out.
    for (let i = 0, t = 10_000; i < 12; i++, t += LOOK_MS) verdicts.push(found(hearing, `/runs/r/file${i}`, t));
    assert.equal(verdicts.filter(Boolean).length, 1, 'said once');
    const first = verdicts.indexOf(true);
    // The third miss settles when the grace of the third change has run out.
    const graceLooks = Math.ceil(HEARING_GRACE_MS / LOOK_MS);
    assert.equal(first, MISSES_BEFORE_BLIND - 1 + graceLooks);
  });

  it('a watcher that reports the changes before the look is never called blind', () => {
    const hearing = new WatcherHearing();
    for (let i = 0, t = 10_000; i < 30; i++, t += LOOK_MS) {
      hearing.heard(`/runs/r/file${i}`, t - 200);
      assert.equal(found(hearing, `/runs/r/file${i}`, t), false);
    }
  });

  it('an event that trails the look within the grace still counts as heard', () => {
    const hearing = new WatcherHearing();
    for (let i = 0, t = 10_000; i < 30; i++, t += LOOK_MS) {
      assert.equal(found(hearing, `/runs/r/file${i}`, t), false);
      hearing.heard(`/runs/r/file${i}`, t + HEARING_GRACE_MS - 1);
    }
  });

  it('an event heard before the previous look says nothing about a later change of the same file', () => {
    const hearing = new WatcherHearing();
    hearing.heard('/runs/r/trajectories.jsonl', 1_000);
    let said = false;
    for (let t = 10_000; t < 10_000 + 20 * LOOK_MS; t += LOOK_MS) said ||= found(hearing, '/runs/r/trajectories.jsonl', t);
    assert.equal(said, true, 'the file kept changing and no event came after the first');
  });

  it('only misses in a row count: a heard change in between resets the tally', () => {
    const hearing = new WatcherHearing();
    let t = 10_000;
    let said = false;
    for (let round = 0; round < 10; round++) {
      // Two missed changes, then one heard: a watcher that drops some events, not a blind one.
      for (let k = 0; k < MISSES_BEFORE_BLIND - 1; k++, t += HEARING_GRACE_MS + LOOK_MS) said ||= found(hearing, `/runs/r/missed${round}-${k}`, t);
      hearing.heard(`/runs/r/heard${round}`, t - 100);
      said ||= found(hearing, `/runs/r/heard${round}`, t);
      t += LOOK_MS;
    }
    assert.equal(said, false);
  });
});
