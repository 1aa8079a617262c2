/**
 * Resuming an optimize run that was cut short: it continues from the state its round records
 * describe — budget spent, scores seen, best set, suggestions, credit, the method's carried state —
 * whatever the files written ahead of the last record say.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREVIOUS_SCORE_ATTR } from '../../../src/core/credit/truce/skip';
import type { MethodFactory, MethodResume } from '../../../src/core/credit/resolveMethod';
import { methodRegistry } from '../../../src/core/methods';
import { optimize, type OptimizeOptions, type RoundRecord } from '../../../src/core/optimize/optimizeLoop';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, PLANTED } from './optimizeWorld';

function opts(ws: Workspace, extra: Partial<OptimizeOptions> = {}): OptimizeOptions {
  return { config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), trusted: true, env: {}, rounds: 1, batchSize: 2, topK: 2, ...extra };
}

/** Cancels the run as soon as round `round` is recorded (a clean stand-in for a kill after it). */
function cancelAfter(round: number): Pick<OptimizeOptions, 'signal' | 'onProgress'> {
  const controller = new AbortController();
  return { signal: controller.signal, onProgress: (e) => (e.type === 'round' && e.record.round === round ? controller.abort() : undefined) };
}

/** A credit method without LLM calls: it keeps what it was given and counts its rounds in details.state. */
function scriptedMethod(log: { credit: Trajectory[][]; resumes: Array<MethodResume | undefined> }): MethodFactory {
  return (resume) => {
    log.resumes.push(resume);
    let n = (resume?.state as { n?: number } | undefined)?.n ?? 0;
    return {
      name: 'truce',
      credit: async (_context, trajectories) => {
        n++;
        log.credit.push(trajectories);
        return { method: 'truce', signals: [], details: { state: { n } } };
      },
      suggest: async () => [],
    };
  };
}

const jsonLines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());

describe('optimize resume after a crash', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;

  afterEach(async () => {
    await server?.close();
    ws?.remove();
  });

  it('starts the budget from what the run and its rollouts already spent', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const log = { credit: [] as Trajectory[][], resumes: [] as Array<MethodResume | undefined> };
    // Every train task in every round: round 2's rollouts are cache hits, so what is left to pay
    // for is the test split (4 tasks), no more than round 1's rollouts (4 tasks and a probe).
    const first = await optimize(opts(ws, { rounds: 2, batchSize: 4, methods: methodRegistry({ truce: scriptedMethod(log) }), ...cancelAfter(1) }));
    assert.equal(first.status, 'cancelled');
    const spent = first.usage.total.calls;
    assert.ok(spent > 20, `round 1 spent only ${spent} calls`);
    // Enough for what is left (the test split) if counting restarted at zero, not on top of what was spent.
    writeFileSync(ws.configPath, readFileSync(ws.configPath, 'utf8').replace('maxCalls: 5000', `maxCalls: ${spent + 10}`));
    const resumed = await optimize(opts(ws, { rounds: 2, batchSize: 4, methods: methodRegistry({ truce: scriptedMethod(log) }), resumeRunId: first.runId }));
    assert.equal(resumed.status, 'stopped-budget');
    assert.ok(resumed.usage.total.calls <= 10, `spent ${resumed.usage.total.calls} more calls under a cap of ${spent + 10} after ${spent}`);
  });

  it('gives the redone rounds the scores the earlier rounds saw (previous-score attribute)', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    // batchSize 4 of 4 train tasks: every round sees every task, so round 2 has a previous score for each.
    const straight = { credit: [] as Trajectory[][], resumes: [] as Array<MethodResume | undefined> };
    await optimize(opts(ws, { rounds: 2, batchSize: 4, methods: methodRegistry({ truce: scriptedMethod(straight) }) }));
    // Trajectories come in the order tasks finish: compared by task.
    const seen = (ts: Trajectory[]) => ts.map((t) => [t.taskId, t.attrs?.[PREVIOUS_SCORE_ATTR]]).sort(([a], [b]) => String(a).localeCompare(String(b)));
    const expected = seen(straight.credit[1]);
    assert.ok(expected.every(([, s]) => typeof s === 'number'));

    const log = { credit: [] as Trajectory[][], resumes: [] as Array<MethodResume | undefined> };
    const first = await optimize(opts(ws, { rounds: 2, batchSize: 4, methods: methodRegistry({ truce: scriptedMethod(log) }), ...cancelAfter(1) }));
    assert.equal(first.status, 'cancelled');
    await optimize(opts(ws, { rounds: 2, batchSize: 4, methods: methodRegistry({ truce: scriptedMethod(log) }), resumeRunId: first.runId }));
    assert.equal(log.credit.length, 2);
    assert.deepEqual(seen(log.credit[1]), expected);
  });

  it('hands the credit method the state the last recorded round published', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const log = { credit: [] as Trajectory[][], resumes: [] as Array<MethodResume | undefined> };
    const first = await optimize(opts(ws, { rounds: 2, methods: methodRegistry({ truce: scriptedMethod(log) }), ...cancelAfter(1) }));
    assert.deepEqual(first.rounds[0].methodState, { n: 1 });
    const resumed = await optimize(opts(ws, { rounds: 2, methods: methodRegistry({ truce: scriptedMethod(log) }), resumeRunId: first.runId }));
    assert.deepEqual(log.resumes.at(-1), { state: { n: 1 } });
    assert.deepEqual(resumed.rounds[1].methodState, { n: 2 }, 'the method continued counting where it stopped');
  });

  it('continues BCD from the EMA and phase state of the last recorded round', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const first = await optimize(opts(ws, { method: 'bcd', rounds: 2, ...cancelAfter(1) }));
    assert.equal(first.status, 'cancelled');
    assert.equal((first.rounds[0].methodState as { iteration: number }).iteration, 1);
    const resumed = await optimize(opts(ws, { method: 'bcd', rounds: 2, resumeRunId: first.runId }));
    assert.equal(resumed.status, 'completed');
    const state = resumed.rounds[1].methodState as { iteration: number; lastPhase?: string };
    assert.equal(state.iteration, 2, 'round 2 folded into the state round 1 left, not into a fresh one');
  });

  it('reports validation over the same tasks as an uninterrupted run when resumed after an accepted round', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const whole = await optimize(opts(ws, { rounds: 2 }));
    assert.ok(whole.accepted.length > 0 && (whole.val.tasks ?? 0) > 0, JSON.stringify(whole.val));
    const first = await optimize(opts(ws, { rounds: 2, ...cancelAfter(1) }));
    assert.equal(first.status, 'cancelled');
    assert.ok(first.rounds[0]?.accepted);
    const resumed = await optimize(opts(ws, { rounds: 2, resumeRunId: first.runId }));
    assert.equal(resumed.status, 'completed');
    // The starting set's scores come from the round record, not from a run that was never redone.
    assert.deepEqual(resumed.val, whole.val);
  });

  it('redoes a round whose record was never written from the state before it, leaving every file as an uninterrupted run does', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const done = await optimize(opts(ws));
    assert.equal(done.accepted.length, 1);
    const read = (f: string) => readFileSync(join(done.dir, f), 'utf8');
    const after = { suggestions: read('suggestions.json'), prompts: read('prompts.json'), best: read('best/prompts/judge.prompty'), credit: jsonLines(join(done.dir, 'credit.jsonl')) };
    // A kill just before the round record: suggestions, credit and the new best set are on disk, the record is not.
    writeFileSync(join(done.dir, 'optimize.jsonl'), '');

    const resumed = await optimize(opts(ws, { resumeRunId: done.runId }));
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.rounds.length, 1);
    const [was, now] = [done.rounds[0], resumed.rounds[0]];
    // Notes come in the order concurrent calls finish, and usage differs (cache hits): both left out of the match.
    const comparable = (r: RoundRecord) => ({ ...r, usage: undefined, notes: [...r.notes].sort() });
    assert.deepEqual(comparable(now), comparable(was), 'round 1 redone on the initial set, as the first time');
    assert.ok(now.accepted);
    assert.ok(resumed.accepted.every((s) => s.newText === PLANTED) && resumed.accepted.length === 1);
    assert.equal(read('suggestions.json'), after.suggestions, 'no suggestion listed twice');
    assert.equal(JSON.parse(read('prompts.json')).bestHash, JSON.parse(after.prompts).bestHash);
    assert.equal(read('best/prompts/judge.prompty'), after.best);
    assert.deepEqual(jsonLines(join(done.dir, 'credit.jsonl')), after.credit, 'the redone round\'s signals replace the cut round\'s, not add to them');
  });

  it('appends the optimizer\'s call records after a record torn by a kill on a line of their own', async () => {
    server = await start({ responder: optimizerResponder('never') });
    ws = optimizerWorkspace(server.url);
    const first = await optimize(opts(ws, { rounds: 2, ...cancelAfter(1) }));
    assert.equal(first.status, 'cancelled');
    const calls = join(first.dir, 'llm-calls.jsonl');
    const before = jsonLines(calls).length;
    appendFileSync(calls, '{"ts":"2026-11-22T03:');
    const resumed = await optimize(opts(ws, { rounds: 2, resumeRunId: first.runId }));
    assert.equal(resumed.status, 'completed');
    const lines = jsonLines(calls);
    assert.ok(lines.length > before, 'round 2 made optimizer calls');
    for (const l of lines) assert.doesNotThrow(() => JSON.parse(l), l.slice(0, 80));
  });
});
