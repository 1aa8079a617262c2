import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { loadRun } from '../../../src/core/store';
import { start, type FakeChatRequest, type FakeOpenAiServer, type FakeReply } from '../../support/fakeOpenAiServer';
import { str } from '../../support/otlpProto';
import { freePort, postProtobuf, request, spanIdOf, traceIdOf } from '../attach/attachHelpers';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, PLANTED, TASKS } from '../optimize/optimizeWorld';
import type { OtlpSpan } from '../../../src/core/mas/otlpTypes';

async function cli(args: string[], cwd: string, signal?: AbortSignal, onStderr?: (text: string) => void) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => {
      stderr += t;
      onStderr?.(t);
    },
    cwd,
    env: {},
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

/** A debate as a proposer → judge trace, the way an instrumented MAS outside TRUCE would export it. */
function debateTrace(n: number, input: string, answer: string): OtlpSpan[] {
  const base = 1_700_000_000_000_000_000n + BigInt(n) * 10_000_000_000n;
  const at = (ms: number) => String(base + BigInt(ms) * 1_000_000n);
  const mk = (name: string, parent: string | undefined, s: number, e: number, attributes: OtlpSpan['attributes']): OtlpSpan => ({
    traceId: traceIdOf(n),
    spanId: spanIdOf(n, name),
    ...(parent ? { parentSpanId: spanIdOf(n, parent) } : {}),
    name,
    kind: 1,
    startTimeUnixNano: at(s),
    endTimeUnixNano: at(e),
    attributes,
    events: [],
    links: [],
  });
  return [
    mk('debate', undefined, 0, 100, [str('input.value', input)]),
    mk('proposer', 'debate', 5, 40, [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', 'proposer'), str('gen_ai.prompt.0.role', 'user'), str('gen_ai.prompt.0.content', input), str('output.value', `Answer: ${answer}\nReasons: it follows.`)]),
    mk('judge', 'debate', 50, 90, [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', 'judge'), str('output.value', `The proposer's steps held up.\nFinal answer: ${answer}`)]),
  ];
}

/**
 * The optimizer's side for attached debates: Φ blames the judge's step (its span id) in a failed
 * trace, Ψ proposes the planted rule for the judge citing it; everything else as the optimize world.
 */
function attachedWorldResponder() {
  const world = optimizerResponder('needs-rule');
  const judgeSteps = [1, 2, 3].map((n) => spanIdOf(n, 'judge'));
  return (request: FakeChatRequest): FakeReply => {
    const system = request.messages.find((m) => m.role === 'system')?.content ?? '';
    const user = request.lastUser;
    if (system.includes('[truce:phi]')) {
      const failed = user.includes('success: no');
      const parts = user.split('<part index="').slice(1).map((block) => {
        const cited = judgeSteps.filter((id) => block.includes(`<step id="${id}"`));
        return {
          index: Number(block.slice(0, block.indexOf('"'))),
          progress: failed ? -0.5 : 0.5,
          coordination: 0,
          stage: 0,
          overall: failed ? -0.7 : 0.5,
          summary: 'part',
          highlights: [],
          issues: failed && cited.length ? [{ stepIds: cited, text: 'The judge accepted a wrong answer without checking it.' }] : [],
        };
      });
      return { json: { parts } };
    }
    if (system.includes('[truce:psi]')) {
      const cited = judgeSteps.filter((id) => user.includes(id));
      if (!user.includes('<agent id="judge"') || cited.length === 0) return { json: { suggestions: [] } };
      return { json: { suggestions: [{ op: 'ADD', targetUnitId: null, anchorUnitId: null, newText: PLANTED, rationale: 'The judge never checked the answer.', evidenceStepIds: cited }] } };
    }
    return world(request);
  };
}

describe('truce attach', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  beforeEach(async () => {
    server = await start({ responder: attachedWorldResponder() });
    ws = optimizerWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('records until Ctrl-C, scores matched traces with the evaluator, and the run takes credit and suggestions', async () => {
    const port = await freePort();
    const stop = new AbortController();
    let listening!: () => void;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    let seen = '';
    const running = cli(['attach', '--port', String(port), '--out', '20261207-090000-a77a'], ws.dir, stop.signal, (t) => {
      seen += t;
      if (seen.includes('Stop with Ctrl-C')) listening();
    });
    await ready;
    assert.match(seen, new RegExp(`listening on http://127\\.0\\.0\\.1:${port} .*recording into \\.truce/runs/20261207-090000-a77a, scored by the choice evaluator and the references of 20 tasks, and verdicts`));
    assert.match(seen, new RegExp(`^export OTEL_EXPORTER_OTLP_ENDPOINT='http://127\\.0\\.0\\.1:${port}'$`, 'm'));
    const token = /OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer%20([0-9a-f]+)'/.exec(seen)?.[1] as string;
    assert.ok(token);

    const [q1, q2, q3] = TASKS as [(typeof TASKS)[0], (typeof TASKS)[0], (typeof TASKS)[0]];
    const wrong = q3.reference === 'A' ? 'B' : 'A';
    const url = `http://127.0.0.1:${port}/v1/traces`;
    for (const [n, task, answer] of [[1, q1, q1.reference], [2, q2, q2.reference], [3, q3, wrong]] as const) {
      assert.equal((await postProtobuf(url, token, request(debateTrace(n, task.input, answer as string)))).status, 200);
    }
    stop.abort();
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { runId: string; trajectories: number; scored: number; listening: boolean };
    assert.deepEqual([status.runId, status.trajectories, status.scored, status.listening], ['20261207-090000-a77a', 3, 3, false]);
    assert.match(r.stderr, /Next: truce credit 20261207-090000-a77a/);

    const run = await loadRun(ws.dir, status.runId);
    assert.equal(run.state, 'completed');
    assert.deepEqual(run.trajectories.map((t) => [t.attrs?.matchedTask, t.outcome?.score]), [[q1.id, 1], [q2.id, 1], [q3.id, 0]]);
    assert.deepEqual(run.trajectories[0]?.agents.map((a) => a.id), ['proposer', 'judge']);
    assert.equal(run.manifest.configFile, 'truce.yaml');
    assert.equal(run.manifest.prompts.files.length > 0, true);

    const credit = await cli(['credit', status.runId, '--json'], ws.dir);
    assert.equal(credit.code, 0, credit.stderr);
    const report = JSON.parse(credit.stdout) as { signals: Array<{ scope: string }> };
    assert.ok(report.signals.length > 0);
    const suggest = await cli(['suggest', status.runId], ws.dir);
    assert.equal(suggest.code, 0, suggest.stderr);
    assert.match(suggest.stdout, new RegExp(`ADD to judge: ${PLANTED}`), suggest.stdout);
  });

  it('exits 1 with what to do when the port is in use, and writes no run', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await cli(['attach', '--port', String(port)], ws.dir);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`truce attach: Port ${port} on 127\\.0\\.0\\.1 is already in use.*attach on a free port \\(for example ${port + 1}\\)`));
      assert.equal(existsSync(join(ws.dir, '.truce', 'runs')), false);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('rejects a bad port, token or run id as a usage error', async () => {
    for (const args of [['--port', '0'], ['--port', 'http'], ['--token', 'short'], ['--out', 'my run']]) {
      const r = await cli(['attach', ...args], ws.dir);
      assert.equal(r.code, 2, args.join(' '));
    }
    const named = await cli(['attach', '--out', 'attach1'], ws.dir);
    assert.match(named.stderr, /--out takes a run id like \d{8}-\d{6}-[0-9a-f]{4} \(the time it started and 4 hex digits\), got "attach1"/);
  });
});
