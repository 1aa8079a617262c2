import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { loadRun, readJsonlFile, RUN_FILES, runsDir } from '../../../src/core/store';
import { validateTrajectory } from '../../../src/core/trajectory/validate';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { readTree } from '../llm/helpers';
import { debateResponder, debateWorkspace, exampleTasks, REPO_ROOT, taskOfRequest, type Workspace } from '../run/debateWorkspace';

const TASKS = exampleTasks();
const WRONG = new Set(['q03', 'q11', 'q18']);

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, signal?: AbortSignal, onStderr?: (t: string) => void) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => {
      stderr += t;
      onStderr?.(t);
    },
    cwd,
    env,
    ...(signal ? { signal } : {}),
  });
  return { code, stdout, stderr };
}

describe('truce validate', function () {
  // Whole runs of 20 tasks; a loaded machine can need more than mocha's default 2 s.
  this.timeout(30_000);
  let ws: Workspace;
  beforeEach(() => (ws = debateWorkspace('http://127.0.0.1:11434/v1')));
  afterEach(() => ws.remove());

  it('accepts the debate example and says what it found', async () => {
    const r = await cli(['validate'], ws.dir);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, 'truce.yaml: OK — 4 agents, rounds MAS, 20 tasks (train 12, val 4, test 4), evaluator choice.\n');
  });

  it('prints file:line:col: error: message (hint), 1-based, and exits 1', async () => {
    writeFileSync(ws.configPath, readFileSync(ws.configPath, 'utf8').replace('    model: fake-model', '    modell: fake-model'));
    const r = await cli(['validate', '--config', 'truce.yaml'], ws.dir);
    assert.equal(r.code, 1);
    const line = readFileSync(ws.configPath, 'utf8').split('\n').findIndex((l) => l.includes('modell:')) + 1;
    assert.match(r.stdout, new RegExp(`^truce\\.yaml:${line}:5: error: Unknown key "modell" in llm\\.executor\\. \\(Did you mean "model"\\?\\)$`, 'm'));
  });

  it('reports bad task lines at their line', async () => {
    const file = join(ws.dir, 'tasks.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = '{"id":"q04"}';
    writeFileSync(file, lines.join('\n'));
    const r = await cli(['validate'], ws.dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^tasks\.jsonl:4:1: error: missing "input"$/m);
  });

  it('exits 1 with a hint when there is no truce.yaml, and 2 on unknown flags', async () => {
    const r = await cli(['validate', '--config', 'nope.yaml'], ws.dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /nope\.yaml does not exist/);
    assert.equal((await cli(['validate', '--frob'], ws.dir)).code, 2);
  });
});

describe('truce run and truce report', function () {
  // Whole runs of 20 tasks; a loaded machine can need more than mocha's default 2 s.
  this.timeout(30_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG) });
    ws = debateWorkspace(server.url);
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  it('prints a line per task on stderr and the summary JSON on stdout; a wrong answer is not a failure', async () => {
    const r = await cli(['run', '--limit', '4'], ws.dir);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.tasks.finished, 4);
    const taskLines = r.stderr.split('\n').filter((l) => /^\[\d\/4\] q\d\d \((train|val|test)\) /.test(l));
    assert.equal(taskLines.length, 4, r.stderr);
    assert.match(r.stderr, /^run \d{8}-\d{6}-[0-9a-f]{4} completed: 4\/4 tasks, 0 failed, mean score 0\.750/m);
    // q03 is answered wrongly: a wrong answer is a result, not a failure, so the run exits 0.
    assert.equal(r.code, 0);
  });

  it('rejects bad flags with exit 2', async () => {
    assert.equal((await cli(['run', '--split', 'dev'], ws.dir)).code, 2);
    assert.equal((await cli(['run', '--limit', '0'], ws.dir)).code, 2);
    assert.equal((await cli(['run', '--resume', 'x', '--limit', '2'], ws.dir)).code, 2);
  });

  it('stops on Ctrl-C (io.signal) as cancelled and prints how to resume', async () => {
    const controller = new AbortController();
    const r = await cli(['run', '--concurrency', '1'], ws.dir, {}, controller.signal, (t) => {
      if (t.startsWith('[')) controller.abort();
    });
    assert.equal(r.code, 1);
    const id = JSON.parse(r.stdout).runId as string;
    assert.match(r.stderr, new RegExp(`run ${id} cancelled`));
    assert.match(r.stderr, new RegExp(`Resume with: truce run --resume ${id}`));
    const resumed = await cli(['run', '--resume', id], ws.dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).tasks.finished, 20);
  });

  it('reports a stored run as Markdown, JSON and JUnit', async () => {
    const run = await cli(['run'], ws.dir);
    const id = JSON.parse(run.stdout).runId as string;

    const md = await cli(['report', 'latest'], ws.dir);
    assert.equal(md.code, 0);
    assert.match(md.stdout, new RegExp(`^# TRUCE run ${id}$`, 'm'));
    assert.match(md.stdout, /^- \*\*Config:\*\* truce\.yaml · sha256 `[0-9a-f]{16}`$/m);
    assert.match(md.stdout, /^\| prompts\/judge\.prompty \| judge \| `[0-9a-f]{16}` \|$/m);
    assert.match(md.stdout, /^\| \*\*all\*\* \| 20 \| 20 \| 0 \| 0\.850 \| 85\.0% \|$/m);
    for (const wrong of WRONG) assert.match(md.stdout, new RegExp(`^\\| ${wrong} \\| (train|val|test) \\| 0\\.00 \\|`, 'm'));
    assert.match(md.stdout, /^\| proposer \| 40 \| 0 \| 0 \|/m);
    assert.match(md.stdout, /^\| rollout \| 140 \|/m);

    const json = await cli(['report', id, '--format', 'json'], ws.dir);
    const summary = JSON.parse(json.stdout);
    assert.equal(summary.runId, id);
    assert.equal(summary.state, 'completed');
    assert.equal(summary.scores.all.meanScore, 0.85);
    assert.equal(summary.usage.byAgent.judge.calls, 20);

    const junit = await cli(['report', id, '--format', 'junit'], ws.dir);
    assert.match(junit.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="truce run [^"]+" tests="20" failures="3" errors="0" skipped="0">/);
    assert.equal((junit.stdout.match(/<testcase /g) ?? []).length, 20);
    const failing = [...junit.stdout.matchAll(/<testcase [^>]*name="(q\d\d)"[^/]*>\s*<failure type="unsuccessful"/g)].map((m) => m[1]).sort();
    assert.deepEqual(failing, [...WRONG].sort());

    assert.equal((await cli(['report', 'latest', '--format', 'pdf'], ws.dir)).code, 2);
    const missing = await cli(['report', '20990101-000000-abcd'], ws.dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /manifest\.json does not exist/);
  });
});

describe('truce run as a process: kill -9 and resume', function () {
  this.timeout(60_000);
  const cliPath = join(REPO_ROOT, 'dist/cli.js');
  let server: FakeOpenAiServer;
  let ws: Workspace;
  const canary = 'sk-canary-7f3e1d9c5b0a2e4f6a8c';

  before(() => {
    // The CLI under test is the bundle users run.
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'ignore' });
  });
  beforeEach(async () => {
    server = await start({ responder: debateResponder(TASKS, WRONG), baseLatencyMs: 15, apiKey: canary });
    // The config points nowhere; the environment supplies the endpoint and the key.
    ws = debateWorkspace('http://127.0.0.1:9/v1');
  });
  afterEach(async () => {
    await server.close();
    ws.remove();
  });

  function runChild(args: string[]) {
    const child = spawn(process.execPath, [cliPath, 'run', ...args], {
      cwd: ws.dir,
      env: { PATH: process.env.PATH, TRUCE_BASE_URL: server.url, OPENAI_API_KEY: canary },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, exited, output: () => ({ stdout, stderr }) };
  }

  async function finishedInJournal(): Promise<number> {
    const runs = runsDir(ws.dir);
    let dirs: string[] = [];
    try {
      dirs = readdirSync(runs);
    } catch {
      return 0;
    }
    if (!dirs[0]) return 0;
    const journal = await readJsonlFile(join(runs, dirs[0], RUN_FILES.journal));
    return journal.lines.filter((l) => (l.value as { event: string }).event === 'task-finished').length;
  }

  it('resumes a killed run without repeating any LLM call of a finished task and ends with a complete store', async () => {
    const first = runChild(['--concurrency', '2']);
    while ((await finishedInJournal()) < 5) {
      if (first.child.exitCode !== null) assert.fail(`the run ended before it was killed: ${first.output().stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGKILL');
    await first.exited;

    const killed = await loadRun(ws.dir, 'latest');
    assert.equal(killed.state, 'interrupted');
    assert.ok(killed.trajectories.length >= 5 && killed.trajectories.length < 20, `${killed.trajectories.length} finished before the kill`);
    const finished = new Set(killed.trajectories.map((t) => t.taskId));
    const mark = server.chatRequests().at(-1)?.seq ?? 0;

    const second = runChild(['--resume', killed.manifest.runId]);
    const code = await second.exited;
    assert.equal(code, 0, second.output().stderr);

    const later = server.chatRequests().filter((r) => r.seq > mark);
    const repeated = later.filter((r) => {
      const task = taskOfRequest((r.body as { messages: Array<{ content: string }> }).messages, TASKS);
      return task !== undefined && finished.has(task.id);
    });
    assert.equal(repeated.length, 0, 'no LLM request about a task that was finished before the kill');
    assert.ok(later.length <= (20 - finished.size) * 7 + 1, 'at most the unfinished tasks and the probe were sent');

    const run = await loadRun(ws.dir, killed.manifest.runId);
    assert.deepEqual(run.problems, []);
    assert.equal(run.state, 'completed');
    assert.equal(run.manifest.invocations, 2);
    assert.equal(run.trajectories.length, 20);
    assert.equal(new Set(run.trajectories.map((t) => t.taskId)).size, 20);
    for (const t of run.trajectories) assert.ok(validateTrajectory(t).ok);
    assert.equal(run.summary?.scores.all.meanScore, 0.85);
    assert.equal(JSON.parse(second.output().stdout).tasks.finished, 20);
    assert.match(second.output().stderr, /llm\.executor\.baseUrl from TRUCE_BASE_URL/);

    for (const f of readTree(join(ws.dir, '.truce'))) assert.ok(!f.text.includes(canary), `${f.path} holds the API key`);
  });
});
