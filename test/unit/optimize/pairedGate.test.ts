/**
 * The paired, sequential acceptance gate: what it accepts, when it stops, and that looking after
 * every batch never raises the chance of a false acceptance above α.
 */
import { strict as assert } from 'node:assert';
import { decideAcceptance, pairedDecision } from '../../../src/core/optimize/accept';
import { fixesNeeded, pairedEValue, pairedVerdict, tasksToAccept } from '../../../src/core/optimize/pairedGate';
import { seededRandom } from '../../../src/core/optimize/random';
import { methodRegistry } from '../../../src/core/methods';
import { optimize } from '../../../src/core/optimize/optimizeLoop';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace } from './optimizeWorld';

/** A run of validation under the gate: batches of `step`, stopping when the verdict says so. */
function sequential(diffs: readonly number[], step: number, alpha: number) {
  for (let end = Math.min(step, diffs.length); ; end = Math.min(end + step, diffs.length)) {
    const verdict = pairedVerdict(diffs.slice(0, end), diffs.length - end, alpha);
    if (verdict.stop || end >= diffs.length) return { verdict, used: end };
  }
}

describe('paired acceptance gate', () => {
  it('weighs only the tasks the two sets disagree on', () => {
    // Six straight fixes under the prior 3λ²: 3·∫ λ²(1 + λ)^6 dλ = 33.51 (the grid is within 0.05).
    assert.ok(Math.abs(pairedEValue([1, 1, 1, 1, 1, 1]) - 3 * (511 / 9 - (2 * 255) / 8 + 127 / 7)) < 0.05);
    assert.equal(pairedEValue([0, 0, 0, 0]), 1);
    assert.ok(Math.abs(pairedEValue([1, 0, 0, 1, 0, 1]) - pairedEValue([1, 1, 1])) < 1e-9);
    assert.ok(pairedEValue([1, 1, 1, -1]) < pairedEValue([1, 1, 1]));
    // Six straight fixes clear δ/3 at δ = 0.1 (the uniform prior needed seven); four clear δ = 0.1 alone.
    assert.deepEqual([fixesNeeded(0.1 / 3), fixesNeeded(0.1)], [6, 4]);
  });

  it('knows the fewest further tasks that could still accept', () => {
    const alpha = 0.1 / 3;
    assert.equal(tasksToAccept([], alpha, 8), 6, 'six straight fixes from the start');
    assert.equal(tasksToAccept([1, 1, 1, 1, 1], alpha, 8), 1);
    assert.equal(tasksToAccept([1, 0, 1, 1, 0, 1, 1, 1, 1], alpha, 8), 0, 'already accepted');
    assert.equal(tasksToAccept([-1, -1, -1], alpha, 8), 8, 'capped at the batch size');
    assert.ok(tasksToAccept([1, 1, 1, -1], alpha, 100) > tasksToAccept([1, 1, 1], alpha, 100), 'a break needs more fixes');
  });

  it('stops as soon as it accepts, and as soon as acceptance is out of reach', () => {
    const winning = sequential([1, 1, 1, 1, 0, 1, 1, 1, ...Array(32).fill(0)], 4, 0.1 / 3);
    assert.deepEqual([winning.verdict.stop, winning.used], ['accepted', 8]);
    const losing = sequential([0, -1, 0, 0, -1, 0, 0, 0, ...Array(32).fill(1)], 4, 0.1 / 3);
    assert.equal(losing.verdict.stop, 'accepted', 'with 32 fixes still to come it is not out of reach');
    const hopeless = sequential([-1, -1, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0], 4, 0.1 / 3);
    assert.deepEqual([hopeless.verdict.stop, hopeless.used], ['out-of-reach', 4]);
    assert.equal(sequential([1, 1, 0, 0], 4, 0.1).verdict.stop, 'no-more-tasks');
  });

  it('stops a candidate with no gain long before the end of a large split, though fixes could still reach acceptance', () => {
    const alpha = 0.1 / 3;
    const nothing = sequential(Array(120).fill(0), 4, alpha);
    assert.equal(nothing.verdict.stop, 'futile');
    assert.ok(nothing.used <= 72, `ran ${nothing.used} of 120 tasks`);
    // Where it stopped, a fix on every remaining task would still have been enough: only the new stop fires.
    assert.ok(pairedEValue(Array(120 - nothing.used).fill(1)) >= 1 / alpha);
    // Fixes and breaks in balance, 1 in 5 tasks each way: stopped too.
    const balanced = sequential(Array.from({ length: 120 }, (_, i) => (i % 10 === 2 ? 1 : i % 10 === 7 ? -1 : 0)), 4, alpha);
    assert.equal(balanced.verdict.stop, 'futile');
    assert.ok(balanced.used < 100, `ran ${balanced.used} of 120 tasks`);
  });

  it('does not give up on a modest real gain: one task in eight fixed, none broken', () => {
    const slow = sequential(Array.from({ length: 120 }, (_, i) => (i % 8 === 5 ? 1 : 0)), 4, 0.1 / 3);
    assert.deepEqual([slow.verdict.stop, slow.verdict.fixed], ['accepted', 6]);
  });

  it('says when it stopped because the rest would have to go far better than what it saw', () => {
    const best = new Map(Array.from({ length: 38 }, (_, i) => [`t${i}`, 0]));
    const cand = new Map(Array.from({ length: 24 }, (_, i) => [`t${i}`, i === 3 ? 1 : 0]));
    const ids = [...cand.keys()];
    const verdict = pairedVerdict(ids.map((id) => (cand.get(id) ?? 0) - (best.get(id) ?? 0)), 14, 0.1 / 3);
    // Six fixes among the last 14 would still do, but 1 in 24 makes no such rate plausible.
    assert.equal(verdict.stop, 'futile');
    const decision = pairedDecision(best, cand, ids, verdict, { delta: 0.1, comparisons: 3 }, 14);
    assert.equal(decision.accepted, false);
    assert.match(decision.reason, /^Stopped after 24 validation tasks: 1 fixed, 0 broken, 23 unchanged; the 14 remaining tasks could show an improvement only by going far better than these \(e = /);
  });

  it('accepts a truly-not-better candidate at most α of the time, though it looks after every batch', function () {
    this.timeout(60_000);
    const random = seededRandom(11);
    const alpha = 0.1;
    let binary = 0;
    let graded = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      // Pass/fail: a third of the tasks flip, as often for the worse as for the better.
      const flips = Array.from({ length: 40 }, () => (random() < 1 / 3 ? (random() < 0.5 ? 1 : -1) : 0));
      if (sequential(flips, 2, alpha).verdict.stop === 'accepted') binary++;
      // Scores in [0, 1]: both sets draw from the same distribution on each task.
      const diffs = Array.from({ length: 40 }, () => random() - random());
      if (sequential(diffs, 2, alpha).verdict.stop === 'accepted') graded++;
    }
    assert.ok(binary / runs <= alpha, `binary false acceptances ${binary}/${runs}`);
    assert.ok(graded / runs <= alpha, `graded false acceptances ${graded}/${runs}`);
  });

  it('says why: tasks, fixed, broken, the statistic and the stop', () => {
    const best = new Map(Array.from({ length: 12 }, (_, i) => [`t${i}`, 0]));
    const cand = new Map(Array.from({ length: 9 }, (_, i) => [`t${i}`, i < 7 ? 1 : 0]));
    const ids = [...cand.keys()];
    const verdict = pairedVerdict(ids.map((id) => (cand.get(id) ?? 0) - (best.get(id) ?? 0)), 3, 0.1 / 3);
    const decision = pairedDecision(best, cand, ids, verdict, { delta: 0.1, comparisons: 3 }, 3);
    assert.equal(decision.accepted, true);
    assert.match(decision.reason, /^Accepted after 9 validation tasks: 7 fixed, 0 broken, 2 unchanged \(e = \S+ ≥ 1\/α = 30\.0, anytime p = \S+, α = δ\/3 = 0\.0333\)\.$/);
    // The Hoeffding gate needs far more tasks for the same evidence.
    assert.equal(decideAcceptance(new Map([...best].slice(0, 9)), cand, { delta: 0.1, comparisons: 3 }).accepted, false);
  });
});

describe('paired gate in the optimizer loop', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  afterEach(async () => {
    await server?.close();
    ws?.remove();
  });

  const run = (gate: 'paired' | 'hoeffding', rounds = 1) =>
    optimize({ config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), trusted: true, env: {}, rounds, batchSize: 2, topK: 2, delta: 0.1, gate });

  it('accepts the planted fix on a small validation split and records why', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    // 7 validation tasks, each fixed by the planted rule: what δ = 0.1 needs is 4 straight fixes.
    ws = optimizerWorkspace(server.url, '{ train: 4, val: 7, test: 4 }');
    const paired = await run('paired');
    const decision = paired.rounds[0]?.decision;
    assert.equal(decision?.gate, 'paired');
    assert.equal(decision?.accepted, true, decision?.reason);
    // It stops at the fourth fix: the three remaining tasks could not change the decision.
    assert.match(decision!.reason, /^Accepted after 4 validation tasks: 4 fixed, 0 broken, 0 unchanged \(e = 10\.0 ≥ 1\/α = 10\.0/);
    assert.deepEqual([decision?.paired?.fixed, decision?.paired?.stop], [4, 'accepted']);
    assert.deepEqual(paired.val, { before: 0, after: 1, tasks: 4 }, 'both means over the 4 tasks both sets ran');
  });

  it('stops validating a candidate that cannot win, where the Hoeffding gate runs every task', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url, '{ train: 4, val: 12, test: 4 }');
    const paired = await run('paired');
    const decision = paired.rounds[0]?.decision;
    assert.equal(decision?.accepted, false);
    // Four straight fixes would still clear δ = 0.1 after the first batch, but a batch without a fix
    // makes that rate implausible: the futility stop ends it before acceptance is out of reach.
    assert.equal(decision?.paired?.stop, 'futile');
    assert.ok((decision?.skipped ?? 0) > 0, `it ran all ${decision?.n} tasks`);
    assert.match(decision!.reason, /^No validation gain on \d+ tasks: 0 fixed, 0 broken, \d+ unchanged \(stopped early: \d+ tasks not run/);
    const pairedRollouts = paired.usage.byPhase.validation?.calls ?? 0;
    ws.remove();
    ws = optimizerWorkspace(server.url, '{ train: 4, val: 12, test: 4 }');
    const hoeffding = await run('hoeffding');
    assert.equal(hoeffding.rounds[0]?.decision?.accepted, false);
    assert.ok(pairedRollouts < (hoeffding.usage.byPhase.validation?.calls ?? 0), `paired ${pairedRollouts} vs hoeffding ${hoeffding.usage.byPhase.validation?.calls} validation calls`);
  });
});
