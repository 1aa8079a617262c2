/**
 * P3 rollouts: 200 tasks × 3 roles × 3 rounds through runMas (the rounds MAS) against the fake
 * server with 100 ms latency per reply, 16 tasks in flight. Prints JSON.
 *
 *   node out/bench/rollouts.js [--tasks 200] [--concurrency 16] [--latency 100]
 *                              [--server child|in-process] [--attribute]
 *
 * The bound: a task's calls are sequential along its critical path — each round's three role calls
 * run in parallel and the aggregator waits for them, then the decision waits for the last state —
 * so one task takes at least rounds × 2 + 1 = 7 latencies (700 ms). With 16 tasks in flight and
 * tasks of equal length, 200 tasks need at least ceil(200 / 16) = 13 waves: 13 × 700 ms = 9.1 s.
 * The endpoint's maxConcurrency is set to tasks-in-flight × roles, so the client never queues.
 * The probe call is off and the workspace (prompts, tasks, truce.yaml) is generated in a temp
 * folder with an empty response cache, so every call goes to the server.
 *
 * The server runs in a child process by default (bench/support/fakeServerProcess.ts): it is not
 * the product, and in this process its CPU per request competed with the client's for the event
 * loop. `--server in-process` runs it here as before, for comparison. `--attribute` also times the
 * client's file-system waits (bench/support/fsWaitProbe.ts) to say where the remainder goes.
 */
// First: when --attribute is given it wraps fs functions before the product's modules capture them.
import { fsWaitSummary } from './support/fsWaitProbe';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseConfig } from '../src/core/config';
import { runMas } from '../src/core/run';
import { start } from '../test/support/fakeOpenAiServer';
import { startFakeServerProcess } from './support/fakeServerProcess';
import { threadCpuDelta, threadCpuSeconds } from './support/threadCpu';
import { monotonicMs, ROLLOUT_LETTERS, rolloutsResponder, type RolloutReply } from './support/rolloutsResponder';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const TASKS = arg('tasks', 200);
const CONCURRENCY = arg('concurrency', 16);
const LATENCY_MS = arg('latency', 100);
const ROLES = ['analyst', 'critic', 'planner'];
const ROUNDS = 3;
const LETTERS = ROLLOUT_LETTERS;
const SERVER_MODE = process.argv.includes('--server') ? process.argv[process.argv.indexOf('--server') + 1] : 'child';
const ATTRIBUTE = process.argv.includes('--attribute');
const LAG_RESOLUTION_MS = 10;

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
 * Where the time goes, from the moments replies were produced (monotonic ms, shared by the server's
 * process and this one). A "hop" is the wait from the reply a call depends on (the last role reply
 * of a round for the aggregator, the previous aggregator for the next round's roles and the
 * decision) to the dependent call's own reply, minus the server's latency: what the client, the
 * event loop and the server's request handling add per dependent call. The task span runs from its
 * first to its last reply (plus one latency for the first call). The "turnover" is the gap a pool
 * slot spends between tasks: from a task's last reply to the first request of the task that took
 * its slot (the k-th task to start after the first `concurrency` ones is matched with the k-th
 * task to end) — scoring, the durable trajectory and journal appends, and starting the next task.
 */
function callTiming(replies: RolloutReply[], started: number, ended: number): Record<string, unknown> {
  const byTask = new Map<number, RolloutReply[]>();
  for (const r of replies) byTask.set(r.task, [...(byTask.get(r.task) ?? []), r]);
  const hops: number[] = [];
  const spans: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  for (const list of byTask.values()) {
    list.sort((a, b) => a.at - b.at);
    let lastDependency = (list[0]?.at ?? 0) - LATENCY_MS;
    starts.push(lastDependency);
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
    ends.push(list[list.length - 1]?.at ?? 0);
    spans.push((list[list.length - 1]?.at ?? 0) - ((list[0]?.at ?? 0) - LATENCY_MS));
  }
  starts.sort((a, b) => a - b);
  ends.sort((a, b) => a - b);
  const turnovers = starts.slice(CONCURRENCY).map((s, k) => s - (ends[k] ?? s));
  // Hops on one task's critical path: per round the slowest role, then the aggregator; then the decision.
  const pct = (values: number[], q: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    return Number((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1));
  };
  const mean = (values: number[]): number => Number((values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)).toFixed(1));
  const lastEnd = ends[ends.length - 1] ?? started;
  return {
    hopOverheadMs: { mean: mean(hops), p50: pct(hops, 0.5), p90: pct(hops, 0.9), p99: pct(hops, 0.99) },
    taskSpanMs: { mean: mean(spans), p50: pct(spans, 0.5), p90: pct(spans, 0.9), criticalPathMs: (ROUNDS * 2 + 1) * LATENCY_MS },
    slotTurnoverMs: { mean: mean(turnovers), p50: pct(turnovers, 0.5), p90: pct(turnovers, 0.9), p99: pct(turnovers, 0.99) },
    firstRequestAfterStartMs: Number(((starts[0] ?? started) - started).toFixed(1)),
    // From the last reply to runMas returning: final flush, manifest, run-completed.
    afterLastReplyMs: Number((ended - lastEnd).toFixed(1)),
  };
}

interface BenchServer {
  url: string;
  stats(): Promise<{ maxInFlight: number; chatRequests: number; replies: RolloutReply[]; cpuSeconds?: number; eventLoopUtilization?: number }>;
  close(): Promise<void>;
}

async function startServer(): Promise<BenchServer> {
  if (SERVER_MODE === 'in-process') {
    const replies: RolloutReply[] = [];
    const server = await start({ baseLatencyMs: LATENCY_MS, responder: rolloutsResponder((reply) => replies.push(reply)) });
    return {
      url: server.url,
      stats: async () => ({ maxInFlight: server.stats.maxInFlight, chatRequests: server.chatRequests().length, replies }),
      close: () => server.close(),
    };
  }
  if (SERVER_MODE !== 'child') throw new Error(`--server must be child or in-process, not ${SERVER_MODE}`);
  const child = await startFakeServerProcess({ responder: 'rollouts', baseLatencyMs: LATENCY_MS });
  return {
    url: child.url,
    stats: async () => {
      const s = await child.stats();
      return { maxInFlight: s.maxInFlight, chatRequests: s.chatRequests, replies: s.replies, cpuSeconds: s.cpuMicros / 1e6, eventLoopUtilization: s.eventLoopUtilization };
    },
    close: () => child.close(),
  };
}

async function main(): Promise<void> {
  const server = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'truce-rollouts-'));
  try {
    writeWorkspace(dir, server.url);
    const parsed = parseConfig(readFileSync(join(dir, 'truce.yaml'), 'utf8'), { workspaceRoot: dir });
    if (!parsed.ok) throw new Error(`generated truce.yaml is invalid: ${parsed.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    const before = await server.stats();
    const delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    delay.enable();
    const started = monotonicMs();
    const elu = performance.eventLoopUtilization();
    const cpu = process.cpuUsage();
    const threadsBefore = threadCpuSeconds();
    const result = await runMas({ config: parsed.config, configFile: 'truce.yaml', workspaceRoot: dir, trusted: true, env: {}, concurrency: CONCURRENCY, probe: false, toolVersion: 'bench' });
    const ended = monotonicMs();
    const seconds = (ended - started) / 1000;
    const loop = performance.eventLoopUtilization(elu);
    const cpuUsed = process.cpuUsage(cpu);
    const threads = threadCpuDelta(threadsBefore, threadCpuSeconds());
    delay.disable();
    const timing = callTiming((await server.stats()).replies, started, ended);
    const after = await server.stats();
    const criticalPathCalls = ROUNDS * 2 + 1;
    const waves = Math.ceil(TASKS / CONCURRENCY);
    const boundSeconds = (waves * criticalPathCalls * LATENCY_MS) / 1000;
    const calls = after.chatRequests;
    const round = (n: number, d = 3) => Number(n.toFixed(d));
    const clientCpuMicros = cpuUsed.user + cpuUsed.system;
    const lag = (nanoseconds: number) => round(Math.max(0, nanoseconds / 1e6 - LAG_RESOLUTION_MS), 1);
    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'P3 rollouts',
          tasks: TASKS,
          roles: ROLES.length,
          rounds: ROUNDS,
          concurrency: CONCURRENCY,
          latencyMs: LATENCY_MS,
          server: SERVER_MODE,
          status: result.status,
          tasksScored: result.summary.scores.all.tasks ?? null,
          calls,
          expectedCalls: TASKS * (ROUNDS * (ROLES.length + 1) + 1),
          maxInFlightSeen: after.maxInFlight,
          wallSeconds: round(seconds),
          bound: { seconds: boundSeconds, formula: `ceil(${TASKS}/${CONCURRENCY}) × (${ROUNDS} rounds × (role + aggregator) + decision) × ${LATENCY_MS} ms = ${waves} × ${criticalPathCalls} × ${LATENCY_MS} ms` },
          ratioVsBound: round(seconds / boundSeconds),
          target: '<= 1.25',
          callsPerSecond: round(calls / seconds, 1),
          // This process only: the client, plus the server when it runs in-process. Near 1.0,
          // calls wait for the CPU, not for each other.
          eventLoopUtilization: round(loop.utilization),
          cpuSeconds: round(clientCpuMicros / 1e6),
          cpuMsPerCall: round(clientCpuMicros / 1000 / calls, 2),
          cpuSplit: { userSeconds: round(cpuUsed.user / 1e6), systemSeconds: round(cpuUsed.system / 1e6), byThread: threads },
          // How late timers and I/O callbacks ran: the wait for the event loop a call's next step sees.
          // The histogram holds whole timer intervals; the lag is what exceeds the 10 ms resolution.
          eventLoopLagMs: { mean: lag(delay.mean), p50: lag(delay.percentile(50)), p90: lag(delay.percentile(90)), p99: lag(delay.percentile(99)), max: lag(delay.max) },
          serverProcess:
            after.cpuSeconds === undefined || before.cpuSeconds === undefined
              ? null
              : { cpuSeconds: round(after.cpuSeconds - before.cpuSeconds), cpuMsPerCall: round(((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, calls), 2), eventLoopUtilizationSinceStart: round(after.eventLoopUtilization ?? 0) },
          timing,
          ...(ATTRIBUTE ? { fsWaits: fsWaitSummary() } : {}),
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
