/**
 * GBC's likelihood estimator: where the executor can score a given text, an edge weighs how much
 * less likely the successor's recorded output becomes without the predecessor's block; where it
 * cannot, ablation re-runs take over. The choice is probed, configurable and recorded.
 */
import { strict as assert } from 'node:assert';
import { createGbcMethod, type GbcTaskGraph } from '../../../../src/core/credit/gbc';
import { likelihoodWeight } from '../../../../src/core/credit/gbc/logprobWeights';
import { parseConfig } from '../../../../src/core/config';
import { start, type FakeOpenAiServer, type FakeScoring } from '../../../support/fakeOpenAiServer';
import { makeContext, roundsTrajectory } from '../bcd/fixtures';

// The judge's state repeats the solver's words, none of the skeptic's.
const trajectory = () =>
  roundsTrajectory({
    taskId: 't1',
    reference: 'A',
    success: false,
    rounds: [{ solver: 'Answer: B, because the letter a is second in Zulu ordering.', skeptic: 'Perhaps quartz xylophone vortex.', judge: 'Answer: B, because the letter a is second in Zulu ordering.' }],
  });

interface Details {
  graph: Record<string, GbcTaskGraph>;
  estimator: { configured: string; used: string; route?: string; reason: string; reconstructed: number };
  queries: { calls: number };
}

describe('GBC likelihood estimator', function () {
  this.timeout(20_000);
  let server: FakeOpenAiServer;
  let generations = 0;
  afterEach(() => server?.close());
  const serve = async (scoring?: FakeScoring) => {
    generations = 0;
    server = await start({
      ...(scoring ? { scoring } : {}),
      responder: (req) => {
        generations++;
        // Ablation re-runs: the judge repeats whatever solver answer it still sees.
        return req.messages.some((m) => m.content.includes('Zulu')) ? 'Answer: B, because the letter a is second in Zulu ordering.' : 'Answer: C.';
      },
    });
  };
  const edge = (g: GbcTaskGraph, from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to)!;

  it('auto, on a server with prompt_logprobs: weighs edges by the likelihood drop, with no generation', async () => {
    await serve({ promptLogprobs: true });
    const notes: string[] = [];
    const report = await createGbcMethod().credit(makeContext(server.url, notes), [trajectory()]);
    const d = report.details as unknown as Details;
    assert.equal(d.estimator.configured, 'auto');
    assert.equal(d.estimator.used, 'logprob');
    assert.equal(d.estimator.route, 'prompt-logprobs');
    const g = d.graph.t1;
    const solver = edge(g, 'r1.solver', 'r1.agg');
    const skeptic = edge(g, 'r1.skeptic', 'r1.agg');
    assert.equal(solver.source, 'logprob');
    assert.ok((solver.weight ?? 0) > (skeptic.weight ?? 1) + 0.1, `solver ${solver.weight} vs skeptic ${skeptic.weight}`);
    assert.ok(solver.kept && !skeptic.kept, 'k = 1 keeps the block the output depends on');
    // Scoring only: the probe and, per estimated node, the full input plus one per predecessor.
    assert.equal(generations, 0);
    assert.equal(server.requests.length, 1 + (1 + 1) + (1 + 2));
    assert.equal(d.queries.calls, (1 + 1) + (1 + 2));
  });

  it('auto, on a server with only echo + logprobs on /completions: the same ordering through that route', async () => {
    await serve({ echo: true });
    const report = await createGbcMethod().credit(makeContext(server.url), [trajectory()]);
    const d = report.details as unknown as Details;
    assert.equal(d.estimator.route, 'echo');
    const g = d.graph.t1;
    assert.ok((edge(g, 'r1.solver', 'r1.agg').weight ?? 0) > (edge(g, 'r1.skeptic', 'r1.agg').weight ?? 1));
    assert.ok(server.requests.filter((r) => r.path === '/v1/completions').length >= 3);
  });

  it('auto, on a server that cannot score: ablation re-runs, and the reason is recorded', async () => {
    await serve();
    const report = await createGbcMethod().credit(makeContext(server.url), [trajectory()]);
    const d = report.details as unknown as Details;
    assert.equal(d.estimator.used, 'ablation');
    assert.match(d.estimator.reason, /cannot score a given text.*ablation re-runs instead/);
    assert.equal(edge(d.graph.t1, 'r1.solver', 'r1.agg').source, 'ablation');
    assert.ok(generations > 0);
  });

  it('credit.gbc.estimator in truce.yaml: logprob falls back with a note where it cannot be served; judge never probes', async () => {
    await serve();
    const notes: string[] = [];
    const context = makeContext(server.url, notes);
    context.config = { ...context.config, credit: { gbc: { estimator: 'logprob' } } };
    const d = (await createGbcMethod().credit(context, [trajectory()])).details as unknown as Details;
    assert.equal(d.estimator.configured, 'logprob');
    assert.equal(d.estimator.used, 'ablation');
    assert.ok(notes.some((n) => /estimator logprob: .*cannot score a given text/.test(n)), notes.join('\n'));

    server.reset();
    const judged = makeContext(server.url);
    judged.config = { ...judged.config, credit: { gbc: { estimator: 'judge' } } };
    const j = (await createGbcMethod().credit(judged, [trajectory()])).details as unknown as Details;
    assert.equal(j.estimator.used, 'judge');
    assert.ok(!server.requests.some((r) => r.path === '/v1/completions' || (r.body as Record<string, unknown>)?.prompt_logprobs !== undefined), 'no scoring probe');
  });

  it('logs without recorded inputs: credit.gbc.reconstructInputs rebuilds them from the reads; off, those nodes are not scored', async () => {
    await serve({ promptLogprobs: true });
    const bare = () => {
      const t = trajectory();
      for (const step of t.steps) delete step.input;
      return t;
    };
    const off = (await createGbcMethod().credit(makeContext(server.url), [bare()])).details as unknown as Details;
    assert.equal(off.estimator.reconstructed, 0);
    assert.notEqual(edge(off.graph.t1, 'r1.solver', 'r1.agg').source, 'logprob');

    const context = makeContext(server.url);
    context.config = { ...context.config, credit: { gbc: { reconstructInputs: true } } };
    const on = (await createGbcMethod().credit(context, [bare()])).details as unknown as Details;
    assert.ok(on.estimator.reconstructed >= 2, `${on.estimator.reconstructed}`);
    const solver = edge(on.graph.t1, 'r1.solver', 'r1.agg');
    const skeptic = edge(on.graph.t1, 'r1.skeptic', 'r1.agg');
    assert.equal(solver.source, 'logprob');
    assert.ok((solver.weight ?? 0) > (skeptic.weight ?? 1), `solver ${solver.weight} vs skeptic ${skeptic.weight}`);
  });

  it('the weight is the share by which the per-token probability falls, 0 when the block does not help', () => {
    assert.equal(likelihoodWeight(-3, 10), 0);
    assert.equal(likelihoodWeight(0, 10), 0);
    assert.ok(Math.abs(likelihoodWeight(10 * Math.log(2), 10) - 0.5) < 1e-12);
    assert.ok(likelihoodWeight(50, 10) > 0.99 && likelihoodWeight(50, 10) < 1);
  });

  it('truce.yaml rejects an unknown estimator and names the allowed ones', () => {
    const yaml = [
      'agents: [{ id: solver, prompt: solver.md }, { id: judge, kind: aggregator, prompt: judge.md }]',
      'mas: { kind: rounds, roles: [solver], rounds: 1, aggregator: judge }',
      'tasks: { file: tasks.jsonl }',
      'evaluator: { type: choice }',
      'llm: { executor: { baseUrl: "http://127.0.0.1:1/v1", model: m } }',
      'credit: { gbc: { estimator: gradient } }',
      '',
    ].join('\n');
    const parsed = parseConfig(yaml, { workspaceRoot: '/tmp' });
    assert.equal(parsed.ok, false);
    const message = parsed.diagnostics.map((x) => `${x.path ?? ''} ${x.message}`).join('\n');
    assert.match(message, /estimator/);
    assert.match(message, /auto.*logprob.*ablation.*judge/);
    const good = parseConfig(yaml.replace('gradient', 'logprob'), { workspaceRoot: '/tmp' });
    assert.ok(good.ok, good.diagnostics.map((x) => x.message).join('\n'));
    assert.equal(good.ok && good.config.credit?.gbc?.estimator, 'logprob');
  });
});
