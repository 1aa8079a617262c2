import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { loadRun, runsDir } from '../../../src/core/store';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateResponder, debateWorkspace, exampleTasks, taskOfRequest, type Workspace } from '../run/debateWorkspace';
import { optimizerResponder } from '../optimize/optimizeWorld';

const TASKS = exampleTasks();
const WRONG = new Set(['q03', 'q11', 'q18']);
/** $1 per 1k input tokens, $2 per 1k output tokens: every call costs cents, so caps bite. */
const PRICED = (yaml: string) => yaml.replace('    seed: 1\n', '    seed: 1\n    pricePer1kInput: 1\n    pricePer1kOutput: 2\n').replace('  maxCalls: 600\n', '  maxCalls: 5000\n');

interface Answers {
  questions: string[];
  answer: boolean;
}

async function cli(args: string[], cwd: string, ask?: Answers) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env: {},
    ...(ask
      ? {
          confirm: async (q: string) => {
            ask.questions.push(q);
            return ask.answer;
          },
        }
      : {}),
  });
  return { code, stdout, stderr };
}

function projectedUsd(stderr: string): number {
  const m = /Projected for this run: \d+ LLM calls, ~\d+ tokens, ~\$(\d+\.\d+)/.exec(stderr);
  assert.ok(m, stderr);
  return Number(m[1]);
}

describe('the dollar cap: --max-usd, the go/no-go projection, --yes, a clean stop and a resume', function () {
  this.timeout(60_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('truce run: prints the projection and the cap; over the cap without a terminal it refuses, spending and writing nothing', async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG) });
    ws = debateWorkspace(server.url, PRICED);
    const r = await cli(['run', '--max-usd', '0.50'], ws.dir);
    assert.equal(r.code, 1, r.stderr);
    assert.ok(projectedUsd(r.stderr) > 0.5, r.stderr);
    assert.match(r.stderr, /Cost cap: \$0\.5000; \$0\.5000 left\./);
    assert.match(r.stderr, /not started: the projection exceeds the cost cap \(budget\.maxCost \/ --max-usd\), and without a terminal there is no one to ask\. Pass --yes/);
    assert.equal(server.chatRequests().length, 0, 'not even the probe was sent');
    assert.ok(!existsSync(runsDir(ws.dir)), 'no run folder');
    assert.equal(r.stdout, '');

    // Within the cap nothing is asked; the projection is still printed first.
    const ok = await cli(['run', '--limit', '1', '--max-usd', '1000'], ws.dir, { questions: [], answer: false });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /^truce run: Projected for this run: 8 LLM calls/m);
    assert.ok(ok.stderr.indexOf('Projected') < ok.stderr.indexOf('run 2'), 'the projection comes before the run starts');

    const bad = await cli(['run', '--max-usd', 'four'], ws.dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-usd needs a positive amount of US dollars, like 4 or 0\.50, got "four"/);
    assert.equal((await cli(['run', '--max-usd', '0'], ws.dir)).code, 2);
  });

  it('truce run: on a terminal it asks; "no" stops before anything is spent', async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG) });
    ws = debateWorkspace(server.url, PRICED);
    const answers: Answers = { questions: [], answer: false };
    const r = await cli(['run', '--max-usd', '0.50'], ws.dir, answers);
    assert.equal(r.code, 1);
    assert.deepEqual(answers.questions, ['Start the run anyway? It stops when the cost cap (budget.maxCost / --max-usd) is reached.']);
    assert.match(r.stderr, /Not started: the projected spend was not confirmed\. Nothing was spent\./);
    assert.equal(server.chatRequests().length, 0);
    assert.ok(!existsSync(runsDir(ws.dir)));
  });

  it('truce run --yes: stops cleanly at the cap, says so, and --resume with a larger --max-usd finishes without paying twice', async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG) });
    ws = debateWorkspace(server.url, PRICED);
    const cap = 10;
    const stopped = await cli(['run', '--max-usd', String(cap), '--yes'], ws.dir);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.ok(projectedUsd(stopped.stderr) > cap, stopped.stderr);
    assert.match(stopped.stderr, /--yes: starting anyway; it stops at the cap\./);
    const summary = JSON.parse(stopped.stdout) as { runId: string; status: string; statusReason: string; tasks: { finished: number; failed: number }; usage: { total: { costUsd: number } } };
    assert.equal(summary.status, 'stopped-budget');
    assert.match(stopped.stderr, new RegExp(`run ${summary.runId} stopped-budget: .*LLM budget exhausted.*Raise budget\\.maxCost in truce\\.yaml \\(or --max-usd\\)`));
    assert.match(stopped.stderr, new RegExp(`Resume with: truce run --resume ${summary.runId} --max-usd <a larger cap>`));
    assert.ok(summary.tasks.finished > 0 && summary.tasks.finished < 20, `finished ${summary.tasks.finished}`);
    assert.equal(summary.tasks.failed, 0, 'a budget stop is no task failure');
    assert.ok(summary.usage.total.costUsd <= cap, `spent $${summary.usage.total.costUsd} against a $${cap} cap`);

    const finished = new Set((await loadRun(ws.dir, summary.runId)).trajectories.map((t) => t.taskId));
    const mark = server.chatRequests().at(-1)?.seq ?? 0;
    // Still over the (raised) cap? It must be asked again; a big cap needs no question.
    const resumed = await cli(['run', '--resume', summary.runId, '--max-usd', '1000'], ws.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`Cost cap: \\$1000\\.00 \\(\\$${summary.usage.total.costUsd.toFixed(summary.usage.total.costUsd < 1 ? 4 : 2)} and \\d+ calls spent by earlier invocations\\)`));
    const done = JSON.parse(resumed.stdout) as { status: string; tasks: { finished: number } };
    assert.equal(done.status, 'completed');
    assert.equal(done.tasks.finished, 20);
    const repeated = server
      .chatRequests()
      .filter((q) => q.seq > mark)
      .filter((q) => {
        const task = taskOfRequest(((q.body as { messages?: Array<{ content: string }> }).messages ?? []) as Array<{ content: string }>, TASKS);
        return task !== undefined && finished.has(task.id);
      });
    assert.equal(repeated.length, 0, 'no call about a task finished before the stop');
  });

  it('truce optimize: refused over the cap in CI before a folder exists; with --yes it stops at the cap and resumes with a larger one', async () => {
    server = await start({ responder: optimizerResponder('needs-rule') });
    ws = debateWorkspace(server.url, (y) =>
      PRICED(
        y
          .replace('split: { train: 0.6, val: 0.2, test: 0.2 }', 'split: { train: 4, val: 12, test: 4 }')
          .replace('  executor:', `  optimizer:\n    baseUrl: ${server.url}\n    model: fake-model\n    temperature: 0\n    structuredOutput: json_schema\n    pricePer1kInput: 1\n    pricePer1kOutput: 2\n  executor:`),
      ),
    );
    const args = ['optimize', '--rounds', '1', '--top-k', '2', '--batch-size', '2'];
    const refused = await cli([...args, '--max-usd', '1'], ws.dir);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /truce optimize: Projected for the whole optimize run: \d+ LLM calls, ~\d+ tokens, ~\$[\d.]+\./);
    assert.match(refused.stderr, /not started: the projection exceeds the cost cap/);
    assert.equal(server.chatRequests().length, 0);
    assert.ok(!existsSync(runsDir(ws.dir)) || readdirSync(runsDir(ws.dir)).length === 0, 'no optimize folder');

    const stopped = await cli([...args, '--max-usd', '3', '--yes'], ws.dir);
    assert.equal(stopped.code, 1, stopped.stderr);
    const first = JSON.parse(stopped.stdout) as { runId: string; status: string; reason: string; usage: { total: { costUsd: number } } };
    assert.equal(first.status, 'stopped-budget', first.reason);
    assert.match(stopped.stderr, /optimize stopped-budget: /);
    assert.match(stopped.stderr, new RegExp(`Resume with: truce optimize --resume ${first.runId} --max-usd <a larger cap>`));
    assert.ok(first.usage.total.costUsd <= 3, `spent $${first.usage.total.costUsd}`);

    const resumed = await cli(['optimize', '--resume', first.runId, '--rounds', '1', '--top-k', '2', '--batch-size', '2', '--max-usd', '1000'], ws.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /spent by earlier invocations/);
    assert.equal((JSON.parse(resumed.stdout) as { status: string }).status, 'completed');
    assert.ok(existsSync(join(runsDir(ws.dir), first.runId, 'optimize.json')));
  });
});
