import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { methodRegistry } from '../../../src/core/methods';
import { optimize, type OptimizeOptions, type OptimizeProgress } from '../../../src/core/optimize/optimizeLoop';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, PLANTED, type WorldLog } from './optimizeWorld';

function opts(ws: Workspace, extra: Partial<OptimizeOptions> = {}): OptimizeOptions {
  return { config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), trusted: true, env: {}, rounds: 1, batchSize: 2, topK: 2, ...extra };
}

describe('optimize end to end on the debate example (fake server)', function () {
  // Whole optimize runs: a few hundred fake calls each.
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  const log: WorldLog = { phi: 0, psi: 0 };

  afterEach(async () => {
    await server?.close();
    ws?.remove();
  });

  it('accepts the planted missing rule when it improves validation, and keeps it in the best set only', async () => {
    server = await start({ responder: optimizerResponder('needs-rule', log) });
    ws = optimizerWorkspace(server.url);
    const before = readFileSync(join(ws.dir, 'prompts/judge.prompty'), 'utf8');
    const events: OptimizeProgress[] = [];
    const result = await optimize(opts(ws, { onProgress: (e) => events.push(e) }));
    assert.equal(result.status, 'completed');
    assert.equal(result.accepted.length, 1);
    assert.equal(result.accepted[0].newText, PLANTED);
    assert.equal(result.accepted[0].agentId, 'judge');
    assert.equal(result.val.before, 0);
    assert.equal(result.val.after, 1);
    assert.equal(result.test.before, 0);
    assert.equal(result.test.after, 1);
    assert.ok(result.rounds[0].decision?.accepted);
    // The prompt file on disk is untouched; the best set is stored in the run.
    assert.equal(readFileSync(join(ws.dir, 'prompts/judge.prompty'), 'utf8'), before);
    assert.ok(readFileSync(join(result.dir, 'best/prompts/judge.prompty'), 'utf8').includes(PLANTED));
    for (const f of ['optimize.json', 'optimize.jsonl', 'suggestions.json', 'credit.jsonl', 'credit.json', 'prompts.json']) assert.ok(existsSync(join(result.dir, f)), f);
    // Unit credit exists, and the projection came first.
    const signals = readFileSync(join(result.dir, 'credit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { scope: string });
    assert.ok(signals.some((s) => s.scope === 'subtrajectory'));
    assert.equal(events[0].type, 'started');
    // Calls per phase are accounted: Φ one per failing task (batched), Ψ per implicated agent.
    assert.equal(result.usage.byPhase.phi?.calls, 2);
    assert.ok((result.usage.byPhase.psi?.calls ?? 0) >= 2);
    assert.equal(result.usage.byPhase.rollout?.calls, 2 * 7);
    assert.equal(result.usage.byPhase.probe?.calls, 1);
    assert.ok(result.rounds[0].notes.some((n) => /r9\.ghost/.test(n)), 'the invented step id was dropped with a note');
  });

  it('rejects the same suggestion when validation does not improve, and the best set stays the initial one', async () => {
    server = await start({ responder: optimizerResponder('never', log) });
    ws = optimizerWorkspace(server.url);
    const result = await optimize(opts(ws));
    assert.equal(result.status, 'completed');
    assert.equal(result.accepted.length, 0);
    const planted = result.rejected.find((s) => s.newText === PLANTED);
    assert.ok(planted);
    assert.match(planted.reason ?? '', /No validation gain/);
    assert.equal(result.bestChanged, false);
    assert.equal(result.val.after, result.val.before);
  });

  it('never turns malformed optimizer output into an edit', async () => {
    server = await start({
      responder: optimizerResponder('needs-rule', log, (req) =>
        req.lastUser.includes('<agent id="skeptic"')
          ? { suggestions: [{ op: 'DELETE', targetUnitId: 'skeptic.b587921bbf', rationale: 'locked one', evidenceStepIds: [] }, { op: 'MODIFY', targetUnitId: 'nope', newText: 'x', rationale: 'bad id', evidenceStepIds: [] }] }
          : { wrong: 'shape' },
      ),
    });
    ws = optimizerWorkspace(server.url);
    const result = await optimize(opts(ws));
    assert.equal(result.status, 'completed');
    assert.equal(result.accepted.length, 0);
    assert.equal(result.rounds[0].suggestions.retained.length, 0);
    const notes = result.rounds[0].notes.join('\n');
    assert.match(notes, /locked/);
    assert.match(notes, /does not have/);
    assert.match(notes, /could not be used/);
    assert.equal(result.bestChanged, false);
  });

  it('resumes an interrupted optimize without redoing finished rounds, and a finished one without any call', async () => {
    server = await start({ responder: optimizerResponder('needs-rule', log) });
    ws = optimizerWorkspace(server.url);
    const controller = new AbortController();
    const first = await optimize(
      opts(ws, { rounds: 2, signal: controller.signal, onProgress: (e) => { if (e.type === 'round' && e.record.round === 1) controller.abort(); } }),
    );
    assert.equal(first.status, 'cancelled');
    assert.equal(first.rounds.length, 1);
    const resumed = await optimize(opts(ws, { rounds: 2, resumeRunId: first.runId }));
    assert.equal(resumed.status, 'completed');
    assert.equal(resumed.rounds.length, 2);
    assert.deepEqual(resumed.rounds[0], first.rounds[0]);
    // Round 1's Φ/Ψ were not asked again: all the resume's optimizer calls belong to round 2.
    assert.equal((resumed.usage.byPhase.phi?.calls ?? 0) + (resumed.usage.byPhase.phi?.cachedCalls ?? 0), resumed.rounds[1].usage.phi?.calls ?? 0);
    server.reset();
    const again = await optimize(opts(ws, { rounds: 2, resumeRunId: first.runId }));
    assert.equal(again.status, 'completed');
    assert.equal(server.chatRequests().length, 0, 'a finished optimize resumes from the cache alone');
    assert.equal(again.usage.total.calls, 0);
  });
});
