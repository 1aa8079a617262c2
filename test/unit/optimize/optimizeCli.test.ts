import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { optimize, OptimizeSetupError } from '../../../src/core/optimize/optimizeLoop';
import { methodRegistry } from '../../../src/core/methods';
import { loadRun, lockRunDir, runDir } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, PLANTED } from './optimizeWorld';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('truce optimize / credit / suggest / apply / revert', function () {
  // A whole optimize run and several commands against the fake server.
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('optimizes, applies the accepted suggestion through the ledger, and reverts it byte for byte', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const r = await cli(['optimize', '--rounds', '1', '--top-k', '2', '--batch-size', '2'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /projected per round/);
    const summary = JSON.parse(r.stdout) as { runId: string; accepted: Array<{ id: string; newText: string }>; val: { before: number; after: number; tasks?: number }; usage: { byPhase: Record<string, { calls: number }> } };
    assert.equal(summary.accepted[0].newText, PLANTED);
    // The paired gate stopped at the 4th of the 12 val tasks (4 straight fixes clear δ = 0.1 with
    // one round); both means are over those 4.
    assert.deepEqual(summary.val, { before: 0, after: 1, tasks: 4 });
    assert.ok(summary.usage.byPhase.phi.calls > 0);
    const id = summary.accepted[0].id;

    const judge = join(ws.dir, 'prompts/judge.prompty');
    const original = readFileSync(judge);
    const dry = await cli(['apply', id, '--run', summary.runId, '--dry-run'], ws.dir);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^\\+- ${PLANTED}`, 'm'));
    assert.ok(readFileSync(judge).equals(original), 'a dry run changes nothing');

    const applied = await cli(['apply', id], ws.dir);
    assert.equal(applied.code, 0, applied.stderr);
    assert.ok(readFileSync(judge, 'utf8').includes(PLANTED));
    const editId = (JSON.parse(applied.stdout) as { editId: string }).editId;
    const reverted = await cli(['revert', editId], ws.dir);
    assert.equal(reverted.code, 0, reverted.stderr);
    assert.ok(readFileSync(judge).equals(original));
    const again = await cli(['apply', 's-000000000000'], ws.dir);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no suggestion/);
  });

  it('takes the gate and GBC\'s uniform-weights ablation from the command line, and refuses them where they do not apply', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    for (const [args, pattern] of [
      [['optimize', '--uniform-weights'], /--uniform-weights is GBC's ablation: pass it with --method gbc/],
      [['optimize', '--gate', 'coin'], /--gate must be paired or hoeffding, got "coin"/],
    ] as const) {
      const r = await cli([...args], ws.dir);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
    }
    assert.equal(server.chatRequests().length, 0);
    const hoeffding = await cli(['optimize', '--gate', 'hoeffding', '--rounds', '1', '--top-k', '2', '--batch-size', '2'], ws.dir);
    assert.equal(hoeffding.code, 0, hoeffding.stderr);
    const first = JSON.parse(hoeffding.stdout) as { runId: string };
    const record = JSON.parse(readFileSync(join(ws.dir, '.truce', 'runs', first.runId, 'optimize.jsonl'), 'utf8').trim().split('\n')[0]!) as { decision?: { gate?: string } };
    assert.equal(record.decision?.gate, 'hoeffding');
    const mark = server.chatRequests().length;
    const r = await cli(['optimize', '--method', 'gbc', '--uniform-weights', '--rounds', '1', '--batch-size', '2'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    const { runId } = JSON.parse(r.stdout) as { runId: string };
    const dir = join(ws.dir, '.truce', 'runs', runId);
    const credit = JSON.parse(readFileSync(join(dir, 'credit.json'), 'utf8')) as { details: { graph: Record<string, { edges: Array<{ kept: boolean; source: string }> }> } };
    const kept = Object.values(credit.details.graph).flatMap((g) => g.edges.filter((e) => e.kept));
    assert.ok(kept.length > 0 && kept.every((e) => e.source === 'uniform'));
    assert.equal(server.chatRequests().slice(mark).filter((q) => JSON.stringify(q.body).includes('[truce:gbc-influence]')).length, 0, 'no estimator call');
  });

  it('refuses an ablation the method cannot run, with the reason, before spending anything', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const r = await cli(['optimize', '--method', 'gbc', '--no-credit'], ws.dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--no-credit does not apply to --method gbc: .*attribution graph.*--method truce --no-credit/);
    assert.equal(r.stdout, '');
    assert.equal(server.chatRequests().length, 0);
    // The loop refuses it too (a method named in truce.yaml never passes through the CLI check).
    await assert.rejects(
      optimize({ config: ws.config(), workspaceRoot: ws.dir, methods: methodRegistry(), method: 'gbc', noCredit: true, trusted: true, env: {} }),
      (e: unknown) => e instanceof OptimizeSetupError && /--no-credit does not apply to the gbc method/.test(e.message),
    );
    assert.equal(server.chatRequests().length, 0);
  });

  it('reports an optimize run in md and json, refuses JUnit for it, and `latest` skips the runs it started', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const own = await cli(['run', '--split', 'train'], ws.dir);
    assert.equal(own.code, 0, own.stderr);
    const ownId = (JSON.parse(own.stdout) as { runId: string }).runId;
    const r = await cli(['optimize', '--rounds', '1', '--top-k', '2', '--batch-size', '2'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { runId: string; accepted: Array<{ id: string }> };

    const md = await cli(['report', summary.runId], ws.dir);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, new RegExp(`^# Optimize run ${summary.runId}`));
    assert.match(md.stdout, /- Status: \*\*completed\*\*/);
    assert.match(md.stdout, /\| 1 \| [\d.]+ \| yes \|/);
    assert.match(md.stdout, new RegExp(`\`${summary.accepted[0]!.id}\` \\*\\*accepted\\*\\* in round 1`));
    assert.match(md.stdout, /## Runs it started\n\n- \d{8}-\d{6}-[0-9a-z]+: rollout, round 1/);
    const json = JSON.parse((await cli(['report', summary.runId, '--format', 'json'], ws.dir)).stdout) as { kind: string; rounds: Array<{ accepted: boolean }>; subRuns: Array<{ runId: string }> };
    assert.equal(json.kind, 'optimize');
    assert.deepEqual(json.rounds.map((x) => x.accepted), [true]);
    const junit = await cli(['report', summary.runId, '--format', 'junit'], ws.dir);
    assert.equal(junit.code, 1);
    assert.match(junit.stderr, /is an optimize run, which has no tasks of its own to report as JUnit/);

    // The optimize run started its runs after ours; `latest` is still the run we started.
    assert.ok(json.subRuns.length > 0);
    const latest = JSON.parse((await cli(['report', 'latest', '--format', 'json'], ws.dir)).stdout) as { runId: string };
    assert.equal(latest.runId, ownId);
  });

  it('credits a stored run, prints rule credit, and suggests from it', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const run = await cli(['run', '--split', 'train'], ws.dir);
    assert.equal(run.code, 0, run.stderr);
    const credit = await cli(['credit', 'latest', '--json'], ws.dir);
    assert.equal(credit.code, 0, credit.stderr);
    const parsed = JSON.parse(credit.stdout) as { signals: Array<{ scope: string }> };
    assert.ok(parsed.signals.some((s) => s.scope === 'subtrajectory'));
    const suggest = await cli(['suggest', 'latest'], ws.dir);
    assert.equal(suggest.code, 0, suggest.stderr);
    assert.match(suggest.stdout, new RegExp(`retained support 100% ADD to judge: ${PLANTED}`));
    // `--run latest` names the run `suggest latest` wrote to, as the example's README tells.
    const id = suggest.stdout.split(' ')[0] as string;
    const dry = await cli(['apply', id, '--run', 'latest', '--dry-run'], ws.dir);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^\\+- ${PLANTED}`, 'm'));
    // Applying calls no model: an endpoint named in the environment that is down does not stop it.
    let stderr = '';
    const down = await runCli(['apply', id, '--run', 'latest'], { stdout: () => undefined, stderr: (t) => (stderr += t), cwd: ws.dir, env: { TRUCE_BASE_URL: 'http://127.0.0.1:9/v1' } });
    assert.equal(down.valueOf(), 0, stderr);
    assert.ok(readFileSync(join(ws.dir, 'prompts/judge.prompty'), 'utf8').includes(PLANTED));
  });

  it('refuses to credit or suggest a run another process is writing, and says who holds it', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = optimizerWorkspace(server.url);
    const run = await cli(['run', '--split', 'train'], ws.dir);
    assert.equal(run.code, 0, run.stderr);
    const id = (await loadRun(ws.dir, 'latest')).manifest.runId;
    const held = lockRunDir(runDir(ws.dir, id), id, 'resume');
    const callsBefore = server.chatRequests().length;
    try {
      for (const command of ['credit', 'suggest']) {
        const busy = await cli([command, 'latest'], ws.dir);
        assert.notEqual(busy.code, 0);
        assert.match(busy.stderr, new RegExp(`run ${id} is being resumed by pid ${process.pid}`));
      }
      // The example's demo block may look whether the endpoint answers (GET /models); no model call is made.
      assert.equal(server.chatRequests().length, callsBefore, 'nothing is spent on a busy run');
    } finally {
      held.release();
    }
    const credit = await cli(['credit', 'latest'], ws.dir);
    assert.equal(credit.code, 0, credit.stderr);
  });
});
