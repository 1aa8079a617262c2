/**
 * P3 rollouts: 200 tasks × 3 roles × 3 rounds through runMas (the rounds MAS) against the fake
 * server with 100 ms latency per reply, 16 tasks in flight. Prints JSON.
 *
 *   node out/bench/rollouts.js [--tasks 200] [--concurrency 16] [--latency 100]
 *
 * The bound: a task's calls are sequential along its critical path — each round's three role calls
 * run in parallel and the aggregator waits for them, then the decision waits for the last state —
 * so one task takes at least rounds × 2 + 1 = 7 latencies (700 ms). With 16 tasks in flight and
 * tasks of equal length, 200 tasks need at least ceil(200 / 16) = 13 waves: 13 × 700 ms = 9.1 s.
 * The endpoint's maxConcurrency is set to tasks-in-flight × roles, so the client never queues.
 * The probe call is off and the workspace (prompts, tasks, truce.yaml) is generated in a temp
 * folder with an empty response cache, so every call goes to the server.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/core/config';
import { runMas } from '../src/core/run';
import { start } from '../test/support/fakeOpenAiServer';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const TASKS = arg('tasks', 200);
const CONCURRENCY = arg('concurrency', 16);
const LATENCY_MS = arg('latency', 100);
const ROLES = ['analyst', 'critic', 'planner'];
const ROUNDS = 3;
const LETTERS = 'ABCD';

function writeWorkspace(dir: string, baseUrl: string): void {
  mkdirSync(join(dir, 'prompts'));
  for (const role of ROLES) {
    writeFileSync(join(dir, 'prompts', `${role}.md`), `---\nkind: role\n---\n# ${role}\n\n## Rules\n\n- Read the question {{question}} and the shared state before answering.\n- Name one option and give one reason for it.\n- Keep the reply under three lines.\n`);
  }
  writeFileSync(join(dir, 'prompts', 'merger.md'), `---\nkind: aggregator\n---\n# merger\n\n- Condense the round into the leading answer and the open objections.\n- Keep what every role agreed on.\n`);
  writeFileSync(join(dir, 'prompts', 'judge.md'), `---\nkind: judge\n---\n# judge\n\n- Read the final shared state and give the answer as "Final answer: X".\n`);
  const tasks = Array.from({ length: TASKS }, (_, i) => JSON.stringify({ id: `t${String(i).padStart(4, '0')}`, input: `Question ${i}: which option is right?\nA) one\nB) two\nC) three\nD) four`, reference: LETTERS[i % 4] }));
  writeFileSync(join(dir, 'tasks.jsonl'), `${tasks.join('\n')}\n`);
  const yaml = `version: 1
agents:
${ROLES.map((r) => `  - id: ${r}\n    kind: role\n    prompt: prompts/${r}.md`).join('\n')}
  - id: merger
    kind: aggregator
    prompt: prompts/merger.md
  - id: judge
    kind: judge
    prompt: prompts/judge.md
mas:
  kind: rounds
  roles: [${ROLES.join(', ')}]
  rounds: ${ROUNDS}
  aggregator: merger
  decision: judge
tasks:
  file: tasks.jsonl
  split: { train: 0.6, val: 0.2, test: 0.2 }
evaluator:
  type: choice
  letters: ${LETTERS}
llm:
  executor:
    baseUrl: ${baseUrl}
    model: fake-model
    temperature: 0
    maxConcurrency: ${CONCURRENCY * ROLES.length}
concurrency: ${CONCURRENCY}
budget:
  maxCalls: ${TASKS * (ROUNDS * (ROLES.length + 1) + 1) + 10}
`;
  writeFileSync(join(dir, 'truce.yaml'), yaml);
}

/**
 * Where the time goes, from the moments replies were produced. A "hop" is the wait from the reply a
 * call depends on (the last role reply of a round for the aggregator, the previous aggregator for
 * the next round's roles and the decision) to the dependent call's own reply, minus the server's
 * latency: what the client, the event loop and the server's request handling add per dependent call.
 * The task span runs from its first to its last reply (plus one latency for the first call).
 */
function callTiming(replies: { task: number; kind: 'role' | 'aggregate' | 'decision'; at: number }[], started: number): Record<string, unknown> {
  const byTask = new Map<number, { kind: string; at: number }[]>();
  for (const r of replies) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const hops: number[] = [];
  const spans: number[] = [];
  const firstCallDelays: number[] = [];
  for (const list of byTask.values()) {
    list.sort((a, b) => a.at - b.at);
    let lastDependency = (list[0]?.at ?? 0) - LATENCY_MS;
    firstCallDelays.push(lastDependency - started);
    let roundRoles: number[] = [];
    for (const r of list) {
      if (r.kind === 'role') {
        roundRoles.push(r.at);
        continue;
      }
      const dependency = roundRoles.length > 0 ? Math.max(...roundRoles) : lastDependency;
      // The roles of the round depended on the previous aggregate (or the task start).
      for (const at of roundRoles) hops.push(at - lastDependency - LATENCY_MS);
      hops.push(r.at - dependency - LATENCY_MS);
      lastDependency = r.at;
      roundRoles = [];
    }
    spans.push((list[list.length - 1]?.at ?? 0) - ((list[0]?.at ?? 0) - LATENCY_MS));
  }
  const pct = (values: number[], q: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
  };
  const mean = (values: number[]): number => Number((values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)).toFixed(1));
  return {
    hopOverheadMs: { mean: mean(hops), p50: pct(hops, 0.5), p90: pct(hops, 0.9), p99: pct(hops, 0.99) },
    taskSpanMs: { mean: mean(spans), p50: pct(spans, 0.5), p90: pct(spans, 0.9), criticalPathMs: (ROUNDS * 2 + 1) * LATENCY_MS },
  };
}

async function main(): Promise<void> {
  // When each call's reply is produced (after the server's latency), per task and kind, to see where
  // the time between dependent calls goes.
  const replies: { task: number; kind: 'role' | 'aggregate' | 'decision'; at: number }[] = [];
  const server = await start({
    baseLatencyMs: LATENCY_MS,
    responder: (req) => {
      const text = req.messages.map((m) => m.content).join('\n');
      const question = Number(/Question (\d+)/.exec(text)?.[1] ?? 0);
      const letter = LETTERS[question % 4] ?? 'A';
      const system = req.messages[0]?.content ?? '';
      const kind = /judge/i.test(system) ? 'decision' : /# merger/.test(system) ? 'aggregate' : 'role';
      replies.push({ task: question, kind, at: performance.now() });
      return kind === 'decision' ? `Final answer: ${letter}` : `Answer: ${letter}. It fits the question best.`;
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'truce-rollouts-'));
  try {
    writeWorkspace(dir, server.url);
    const { readFileSync } = await import('node:fs');
    const parsed = parseConfig(readFileSync(join(dir, 'truce.yaml'), 'utf8'), { workspaceRoot: dir });
    if (!parsed.ok) throw new Error(`generated truce.yaml is invalid: ${parsed.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    const started = performance.now();
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const result = await runMas({ config: parsed.config, configFile: 'truce.yaml', workspaceRoot: dir, trusted: true, env: {}, concurrency: CONCURRENCY, probe: false, toolVersion: 'bench' });
    const seconds = (performance.now() - started) / 1000;
    const loop = performance.eventLoopUtilization(elu);
    const cpuUsed = process.cpuUsage(cpu);
    const timing = callTiming(replies, started);
    const criticalPathCalls = ROUNDS * 2 + 1;
    const waves = Math.ceil(TASKS / CONCURRENCY);
    const boundSeconds = (waves * criticalPathCalls * LATENCY_MS) / 1000;
    const calls = server.chatRequests().length;
    const round = (n: number, d = 3) => Number(n.toFixed(d));
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'P3 rollouts',
          tasks: TASKS,
          roles: ROLES.length,
          rounds: ROUNDS,
          concurrency: CONCURRENCY,
          latencyMs: LATENCY_MS,
          status: result.status,
          tasksScored: result.summary.scores.all.tasks ?? null,
          calls,
          expectedCalls: TASKS * (ROUNDS * (ROLES.length + 1) + 1),
          maxInFlightSeen: server.stats.maxInFlight,
          wallSeconds: round(seconds),
          bound: { seconds: boundSeconds, formula: `ceil(${TASKS}/${CONCURRENCY}) × (${ROUNDS} rounds × (role + aggregator) + decision) × ${LATENCY_MS} ms = ${waves} × ${criticalPathCalls} × ${LATENCY_MS} ms` },
          ratioVsBound: round(seconds / boundSeconds),
          target: '<= 1.25',
          callsPerSecond: round(calls / seconds, 1),
          // Server and client share this process: when its event loop is near 1.0, calls wait for
          // the CPU, not for each other.
          eventLoopUtilization: round(loop.utilization),
          cpuSeconds: round((cpuUsed.user + cpuUsed.system) / 1e6),
          cpuMsPerCall: round((cpuUsed.user + cpuUsed.system) / 1000 / calls, 2),
          timing,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
