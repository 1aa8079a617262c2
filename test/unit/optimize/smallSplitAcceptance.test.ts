/**
 * Small workspaces can accept a real fix at the default δ (issue 13): a split too small for the
 * sequential e-process ever to accept is run whole and decided by the exact one-sided sign test on
 * the tasks the two sets disagree on; a split too small for any test says so before spending a call.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { methodRegistry } from '../../../src/core/methods';
import { optimize } from '../../../src/core/optimize/optimizeLoop';
import { comparisonAlpha } from '../../../src/core/optimize/alphaSpending';
import { signTestP, signVerdict, usesSignTest } from '../../../src/core/optimize/pairedGate';
import { splitTasks } from '../../../src/core/tasks';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, TASKS } from './optimizeWorld';

const ALPHA = 0.1 / 3;

describe('small validation splits', function () {
  this.timeout(120_000);

  it('the exact sign test counts only disagreements and is used where the e-process could accept only a clean sweep', () => {
    assert.ok(Math.abs(signTestP(5, 0) - 1 / 32) < 1e-12);
    assert.ok(Math.abs(signTestP(6, 0) - 1 / 64) < 1e-12);
    assert.ok(Math.abs(signTestP(5, 1) - 7 / 64) < 1e-12);
    assert.equal(signTestP(0, 3), 1);
    // Six straight fixes are what the e-process needs at δ/3: on six tasks the sign test, which also
    // accepts five fixes of six, is used; from seven tasks on, the e-process.
    assert.deepEqual([usesSignTest(6, ALPHA), usesSignTest(7, ALPHA), usesSignTest(40, ALPHA)], [true, false, false]);
    // Five fixes and one unchanged task of six: p = 1/32 ≤ δ/3.
    assert.equal(signVerdict([1, 1, 0, 1, 1, 1], 0, ALPHA).stop, 'accepted');
    // It never accepts before the split is done, and gives up once even all-fixes cannot make it.
    assert.equal(signVerdict([1, 1, 1, 1, 1], 1, ALPHA).stop, undefined);
    assert.equal(signVerdict([-1, 0], 4, ALPHA).stop, 'out-of-reach');
    assert.equal(signVerdict([], 4, ALPHA).stop, 'out-of-reach', 'four tasks can never give p ≤ 1/30');
  });

  let server: FakeOpenAiServer | undefined;
  let ws: Workspace | undefined;
  afterEach(async () => {
    await server?.close();
    ws?.remove();
    server = undefined;
    ws = undefined;
  });

  /** The example workspace cut to its first 8 tasks: 2 to learn from, 6 to validate on. */
  function eightTasks(url: string): { ws: Workspace; val: string[] } {
    const w = optimizerWorkspace(url, '{ train: 2, val: 6, test: 0 }');
    const file = join(w.dir, 'tasks.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).slice(0, 8).join('\n') + '\n');
    const config = w.config();
    const split = splitTasks(TASKS.slice(0, 8).map((t) => ({ ...t })), config.tasks.split, config.tasks.seed);
    return { ws: w, val: split.val.map((t) => t.id) };
  }

  // Default δ (0.1) and default rounds (3): α = δ/3 per comparison, as a new user runs it.
  const run = (w: Workspace) => optimize({ config: w.config(), workspaceRoot: w.dir, methods: methodRegistry(), trusted: true, env: {}, batchSize: 2 });

  it('an 8-task workspace accepts a fix that helps on 5 of its 6 validation tasks', async () => {
    let val: string[] = [];
    server = await start({ responder: (r) => optimizerResponder('needs-rule', undefined, undefined, new Set(val.slice(0, 1)))(r) });
    ({ ws, val } = eightTasks(server.url));
    assert.equal(val.length, 6);
    const result = await run(ws);
    const decision = result.rounds[0]?.decision;
    assert.equal(decision?.accepted, true, decision?.reason);
    assert.match(decision!.reason, /^Accepted after 6 validation tasks: 5 fixed, 0 broken, 1 unchanged \(exact sign test on the whole split, p = 0\.031 ≤ α = δ\/3 = 0\.0333\)/);
    assert.equal(result.accepted.length, 1);
  });

  it('an 8-task workspace does not accept a change that fixes too few of its validation tasks', async () => {
    let val: string[] = [];
    // The rule helps on 3 of the 6 tasks only.
    server = await start({ responder: (r) => optimizerResponder('needs-rule', undefined, undefined, new Set(val.slice(0, 3)))(r) });
    ({ ws, val } = eightTasks(server.url));
    const result = await run(ws);
    assert.equal(result.rounds.some((r) => r.accepted), false, JSON.stringify(result.rounds.map((r) => r.decision?.reason)));
    assert.match(result.rounds[0]?.decision?.reason ?? '', /^Rejected after \d validation tasks: \d fixed, 0 broken, \d unchanged; even fixes on the \d remaining tasks could not show an improvement \(exact sign test/);
  });

  it('shares δ evenly, or front-loads it where a small split could never use an even share, and never hands out more than δ', () => {
    assert.deepEqual(comparisonAlpha(0.1, 3, 0, 120), { alpha: 0.1 / 3, text: 'α = δ/3 = 0.0333' });
    assert.equal(comparisonAlpha(0.1, 3, 2, 5).alpha, 0.1 / 3, 'five tasks reach 1/32 ≤ δ/3: even shares');
    // Four tasks cannot go below p = 1/16: the first comparison gets it, the other two share the rest.
    const four = [0, 1, 2].map((made) => comparisonAlpha(0.1, 3, made, 4).alpha);
    assert.equal(four[0], 0.0625);
    for (const share of four.slice(1)) assert.ok(Math.abs(share - 0.01875) < 1e-12, String(share));
    // Three tasks need 1/8 > δ: nothing helps, the shares stay even (and the gate refuses up front).
    assert.equal(comparisonAlpha(0.1, 3, 0, 3).alpha, 0.1 / 3);
    for (const [delta, k, n] of [[0.1, 3, 4], [0.1, 5, 4], [0.2, 5, 4], [0.05, 2, 5], [0.1, 10, 5], [0.3, 4, 3]] as const) {
      const shares = Array.from({ length: k }, (_, made) => comparisonAlpha(delta, k, made, n).alpha);
      const sum = shares.reduce((a, b) => a + b, 0);
      assert.ok(sum <= delta + 1e-12, `δ ${delta}, ${k} comparisons, ${n} tasks: shares ${shares.join(', ')} add up to ${sum}`);
    }
  });

  it('the example workspace (4 validation tasks) accepts a fix on all of them with its default 3 rounds at the default δ', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url, '{ train: 0.6, val: 0.2, test: 0.2 }');
    const three = await optimize({ config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), trusted: true, env: {} });
    assert.equal(three.rounds.length, 3, 'the default 3 rounds');
    const decision = three.rounds[0]?.decision;
    assert.equal(decision?.accepted, true, decision?.reason);
    assert.match(decision!.reason, /^Accepted after 4 validation tasks: 4 fixed, 0 broken, 0 unchanged \(exact sign test on the whole split, p = 0\.063 ≤ α = 0\.0625 of δ = 0\.1 \(front-loaded: a 4-task val split needs α ≥ 2\^−4; comparison 1 of at most 3\)\)/);
    assert.equal(three.accepted.length, 1);
    // What δ has left (0.0375 over two comparisons) is out of reach for 4 tasks: no later round spends a validation call.
    for (const r of three.rounds.slice(1)) assert.ok(!r.accepted && (r.decision === undefined || r.decision.n === 0), JSON.stringify(r.decision?.reason));
  });
});
