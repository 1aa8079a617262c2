/**
 * Blame checked by intervention, in the simulation world (issue 22): step- and agent-level blame
 * accuracy of credit alone against credit + intervention, and the calls the intervention costs,
 * side by side in one run. Prints a table and stores the figures under "intervention" in
 * bench/results.json (other keys are kept).
 *
 *   npm run bench:intervene -- [--scenario FILE]... [--repeats K] [--candidates N]
 *
 * Per scenario (default: mixed-noise30, hard-noise50, debate-missing, anchored-noise30) the train split is run
 * through the built-in rounds MAS against the world, TRUCE's credit (Φ, with the scenario's critic
 * noise) blames one step of each failed task, and then:
 *
 *   - credit alone: that step, and its agent;
 *   - credit + intervention: `truce intervene` (core/intervene, the rounds MAS's own runner: steps
 *     before replayed, the step answered with the simulated optimizer's correction, the rest live,
 *     K repeats) on credit's candidates in credit's order — its blamed step, then the other steps
 *     its issues cite, N at most — and the first one confirmed (at least half the re-runs succeed)
 *     is the blame; when none is confirmed, credit's pick stands. Its calls are what those
 *     interventions sent upstream (corrections and live re-run calls; replayed steps are free).
 *
 * The truth: a failed task's decisive steps are those whose repair alone makes the task succeed,
 * found by correcting every step of the trajectory once, after the measured interventions (so the
 * truth's own calls warm no cache the measurement reads). The world's corrector has no noise (see
 * src/core/sim/correctionReply.ts), so this is the world's answer to "had this agent done its job
 * here, would the task have succeeded?". The true agents are the agents of those steps. A failed
 * task that no single repaired step saves has no decisive step and is counted apart, not scored.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { intervene, type InterventionRecord } from '../../src/core/intervene';
import { truceDetails } from '../../src/core/credit/truce';
import { loadRun } from '../../src/core/store';
import { creditStoredRun } from '../../src/core/storedRunCredit';
import type { Trajectory } from '../../src/core/trajectory/schema';
import { start } from '../../test/support/fakeOpenAiServer';
import { createSimResponder, loadScenario, World, writeSimWorkspace, type SimWorkspace } from '../../test/support/sim';
import { runWorld } from '../../test/support/sim/simRun';

/** out/bench/sim/intervene.js → the repository root. */
const ROOT = resolve(__dirname, '..', '..', '..');
const DEFAULT_SCENARIOS = ['mixed-noise30', 'hard-noise50', 'debate-missing', 'anchored-noise30'].map((n) => join(ROOT, 'bench', 'sim', 'scenarios', `${n}.json`));

interface Args {
  scenarios: string[];
  repeats: number;
  candidates: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { scenarios: [], repeats: 3, candidates: 3 };
  const count = (flag: string, value: string | undefined): number => {
    if (!/^\d+$/.test(value ?? '') || Number(value) < 1) throw new Error(`${flag} needs a whole number of at least 1; got ${JSON.stringify(value)}.`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--scenario') args.scenarios.push(resolve(argv[++i] ?? ''));
    else if (a === '--repeats') args.repeats = count(a, argv[++i]);
    else if (a === '--candidates') args.candidates = count(a, argv[++i]);
    else throw new Error(`Unknown argument ${JSON.stringify(a)}; use --scenario FILE, --repeats K, --candidates N.`);
  }
  if (!args.scenarios.length) args.scenarios = DEFAULT_SCENARIOS;
  return args;
}

interface TaskVerdict {
  taskId: string;
  trueSteps: string[];
  trueAgents: string[];
  credit: { stepId?: string; agentId?: string };
  withIntervention: { stepId?: string; agentId?: string; interventions: number; calls: number };
}

interface ScenarioFigures {
  scenario: string;
  criticNoise: number;
  failedTasks: number;
  /** Failed tasks with at least one decisive step (the scored ones). */
  scored: number;
  creditAlone: { stepAccuracy: number; agentAccuracy: number };
  withIntervention: { stepAccuracy: number; agentAccuracy: number; interventions: number; calls: number; callsPerTask: number };
  /** Calls of the run and of credit, for scale. */
  runCalls: number;
  creditCalls: number;
  /** Calls the truth (every step corrected once) took; not part of either method's cost. */
  truthCalls: number;
  tasks: TaskVerdict[];
}

const share = (n: number, of: number) => (of ? Number((n / of).toFixed(3)) : 0);

/** Credit's candidates for a failed task: its blamed step, then the steps its issues cite, in its order. */
function candidatesOf(details: ReturnType<typeof truceDetails>, taskId: string, max: number): string[] {
  const out: string[] = [];
  const blamed = details.blame[taskId]?.stepId;
  if (blamed) out.push(blamed);
  const parts = [...(details.phi[taskId] ?? [])].sort((a, b) => a.overall - b.overall || a.index - b.index);
  for (const part of parts) for (const point of part.points) if (point.kind === 'issue') for (const id of point.stepIds) if (!out.includes(id)) out.push(id);
  return out.slice(0, max);
}

async function runScenario(file: string, args: Args): Promise<ScenarioFigures> {
  const world = new World(loadScenario(file));
  const sim = createSimResponder(world);
  const server = await start({ responder: sim.respond });
  const ws: SimWorkspace = writeSimWorkspace(world, { baseUrl: server.url });
  try {
    const base = { config: ws.config(), workspaceRoot: ws.dir, env: {}, trusted: true };
    const run = await runWorld(ws, { split: 'train' });
    const runCalls = server.chatRequests().length;
    const credit = await creditStoredRun({ config: ws.config(), workspaceRoot: ws.dir, runId: run.runId, env: {} });
    const creditCalls = server.chatRequests().length - runCalls;
    const details = truceDetails(credit.report);
    const stored = await loadRun(ws.dir, run.runId);
    const failed = stored.trajectories.filter((t) => t.outcome?.success === false);
    const agentOf = (t: Trajectory, id: string | undefined) => t.steps.find((s) => s.id === id)?.agentId;

    // Credit + intervention, measured first: nothing the truth does below can warm its cache.
    const measured = new Map<string, TaskVerdict['withIntervention']>();
    for (const t of failed) {
      let pick: string | undefined;
      let interventions = 0;
      let calls = 0;
      for (const stepId of candidatesOf(details, t.taskId, args.candidates)) {
        const { record } = await intervene({ ...base, runId: run.runId, taskId: t.taskId, step: stepId, repeats: args.repeats });
        interventions++;
        calls += record.spend.calls;
        if (confirmed(record)) {
          pick = stepId;
          break;
        }
      }
      pick ??= details.blame[t.taskId]?.stepId;
      const agentId = pick ? agentOf(t, pick) : details.blame[t.taskId]?.agent;
      measured.set(t.taskId, { ...(pick ? { stepId: pick } : {}), ...(agentId ? { agentId } : {}), interventions, calls });
    }

    // The truth: every step of the failed trajectory repaired alone, once (the world is deterministic).
    const truthStart = server.chatRequests().length;
    const tasks: TaskVerdict[] = [];
    for (const t of failed) {
      const trueSteps: string[] = [];
      for (const step of t.steps) {
        const { record } = await intervene({ ...base, runId: run.runId, taskId: t.taskId, step: step.id, repeats: 1 });
        if (confirmed(record)) trueSteps.push(step.id);
      }
      const blame = details.blame[t.taskId];
      tasks.push({
        taskId: t.taskId,
        trueSteps,
        trueAgents: [...new Set(trueSteps.map((id) => agentOf(t, id) as string))],
        credit: { ...(blame?.stepId ? { stepId: blame.stepId } : {}), ...(blame?.agent ? { agentId: blame.agent } : {}) },
        withIntervention: measured.get(t.taskId) as TaskVerdict['withIntervention'],
      });
    }
    const truthCalls = server.chatRequests().length - truthStart;
    if (sim.refused.length) throw new Error(`The simulation world refused ${sim.refused.length} call(s):\n  ${[...new Set(sim.refused)].slice(0, 5).join('\n  ')}`);

    const scored = tasks.filter((t) => t.trueSteps.length > 0);
    const hit = (pick: { stepId?: string; agentId?: string }, t: TaskVerdict, level: 'step' | 'agent') =>
      level === 'step' ? pick.stepId !== undefined && t.trueSteps.includes(pick.stepId) : pick.agentId !== undefined && t.trueAgents.includes(pick.agentId);
    const accuracy = (which: 'credit' | 'withIntervention', level: 'step' | 'agent') => share(scored.filter((t) => hit(t[which], t, level)).length, scored.length);
    const interventions = tasks.reduce((n, t) => n + t.withIntervention.interventions, 0);
    const calls = tasks.reduce((n, t) => n + t.withIntervention.calls, 0);
    return {
      scenario: world.scenario.name,
      criticNoise: world.scenario.noise.critic,
      failedTasks: failed.length,
      scored: scored.length,
      creditAlone: { stepAccuracy: accuracy('credit', 'step'), agentAccuracy: accuracy('credit', 'agent') },
      withIntervention: { stepAccuracy: accuracy('withIntervention', 'step'), agentAccuracy: accuracy('withIntervention', 'agent'), interventions, calls, callsPerTask: Number((calls / Math.max(1, failed.length)).toFixed(1)) },
      runCalls,
      creditCalls,
      truthCalls,
      tasks,
    };
  } finally {
    await server.close();
    ws.remove();
  }
}

/** At least half the re-runs that reached the corrected step succeed. */
function confirmed(record: InterventionRecord): boolean {
  return record.runs > 0 && record.flips * 2 >= record.runs;
}

function table(rows: readonly ScenarioFigures[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const header = ['scenario', 'critic noise', 'failed (scored)', 'credit: step', 'agent', '+ intervention: step', 'agent', 'interventions', 'calls', 'calls/task', 'credit calls'];
  const cells = rows.map((r) => [r.scenario, String(r.criticNoise), `${r.failedTasks} (${r.scored})`, pct(r.creditAlone.stepAccuracy), pct(r.creditAlone.agentAccuracy), pct(r.withIntervention.stepAccuracy), pct(r.withIntervention.agentAccuracy), String(r.withIntervention.interventions), String(r.withIntervention.calls), String(r.withIntervention.callsPerTask), String(r.creditCalls)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  return [header, ...cells].map((row) => row.map((c, i) => c.padEnd(widths[i] as number)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows: ScenarioFigures[] = [];
  for (const file of args.scenarios) rows.push(await runScenario(file, args));
  const figures = { generatedAt: new Date().toISOString(), repeats: args.repeats, candidates: args.candidates, scenarios: rows.map(({ tasks: _tasks, ...r }) => r) };
  const resultsPath = join(ROOT, 'bench', 'results.json');
  const results = existsSync(resultsPath) ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>) : {};
  results.intervention = figures;
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${table(rows)}\nwritten: bench/results.json (key "intervention")\n${JSON.stringify({ ...figures, tasks: rows.map((r) => ({ scenario: r.scenario, tasks: r.tasks })) }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
