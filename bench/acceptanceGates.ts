/**
 * The two acceptance gates side by side on simulated validation runs, where the truth is known:
 *
 *  - null: the candidate is in truth no better (tasks flip for the better as often as for the
 *    worse, or both sets draw graded scores from one distribution): how often each gate accepts
 *    it anyway — must stay at or below α, although the paired gate looks after every batch;
 *  - real gains: a candidate that fixes a share of the tasks and breaks a few: how often each gate
 *    accepts it, and how many validation tasks the candidate ran (the paired gate stops early).
 *
 *   npm run bench:gates [-- --runs 4000] [--tasks 40]
 *
 * Validation has 40 tasks (--tasks: the sim scenarios have 60–120), batches of 4 (the default
 * concurrency), α = δ/3 = 0.1/3 as in a three-round run. The paired gate is shown twice: as it runs
 * (it also stops when acceptance would need the remaining tasks to go far better than the ones
 * seen, 'futile') and with only the older stop (a fix on every remaining task could not reach
 * acceptance), so what the futility stop saves and what power it costs are side by side. Pure
 * arithmetic on seeded draws: no LLM calls, no workspace. Prints one table and writes the figures
 * under "acceptanceGates" (40 tasks) or "acceptanceGates<N>" in bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideAcceptance } from '../src/core/optimize/accept';
import { pairedVerdict } from '../src/core/optimize/pairedGate';
import { seededRandom } from '../src/core/optimize/random';

const argAfter = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
const TASKS = argAfter('--tasks') ?? 40;
const STEP = 4;
const DELTA = 0.1;
const ROUNDS = 3;
const ALPHA = DELTA / ROUNDS;

interface Case {
  name: string;
  /** One validation task: the best set's score and the candidate's. */
  draw: (random: () => number) => [number, number];
}

const binary = (pFix: number, pBreak: number, base = 0.4): Case['draw'] => (random) => {
  const best = random() < base ? 1 : 0;
  const u = random();
  if (best === 0) return [0, u < pFix / (1 - base) ? 1 : 0];
  return [1, u < pBreak / base ? 0 : 1];
};

const CASES: Case[] = [
  { name: 'null, pass/fail (20% flip each way)', draw: binary(0.2, 0.2) },
  { name: 'null, graded scores', draw: (r) => [r(), r()] },
  { name: 'null, nothing changes', draw: (r) => { const s = r() < 0.5 ? 1 : 0; return [s, s]; } },
  { name: 'gain 0.10 (15% fixed, 5% broken)', draw: binary(0.15, 0.05) },
  { name: 'gain 0.25 (28% fixed, 3% broken)', draw: binary(0.28, 0.03) },
  { name: 'gain 0.50 (50% fixed, 0% broken)', draw: binary(0.5, 0) },
];

function runOnce(c: Case, random: () => number) {
  const pairs = Array.from({ length: TASKS }, () => c.draw(random));
  const ids = pairs.map((_, i) => `t${i}`);
  const best = new Map(ids.map((id, i) => [id, pairs[i]![0]]));
  const candidate = new Map(ids.map((id, i) => [id, pairs[i]![1]]));
  const hoeffding = decideAcceptance(best, candidate, { delta: DELTA, comparisons: ROUNDS }).accepted;
  // The gate as it runs stops at the first stop; without the futility stop it runs on past 'futile'.
  let first: { paired: boolean; used: number } | undefined;
  for (let end = Math.min(STEP, TASKS); ; end = Math.min(end + STEP, TASKS)) {
    const verdict = pairedVerdict(pairs.slice(0, end).map(([b, c2]) => c2 - b), TASKS - end, ALPHA);
    if (verdict.stop && !first) first = { paired: verdict.stop === 'accepted', used: end };
    if (verdict.stop && verdict.stop !== 'futile') {
      const now = first ?? { paired: false, used: end };
      return { hoeffding, paired: now.paired, used: now.used, pairedNoFutility: verdict.stop === 'accepted', usedNoFutility: end };
    }
  }
}

function main(): void {
  const runs = argAfter('--runs') ?? 4000;
  const rows: Array<Record<string, unknown>> = [];
  for (const [i, c] of CASES.entries()) {
    const random = seededRandom(1000 + i);
    let h = 0;
    let p = 0;
    let pNo = 0;
    let tasks = 0;
    let tasksNo = 0;
    for (let r = 0; r < runs; r++) {
      const o = runOnce(c, random);
      if (o.hoeffding) h++;
      if (o.paired) p++;
      if (o.pairedNoFutility) pNo++;
      tasks += o.used;
      tasksNo += o.usedNoFutility;
    }
    rows.push({ case: c.name, runs, hoeffdingAccepts: h / runs, pairedAccepts: p / runs, pairedNoFutilityAccepts: pNo / runs, pairedTasksRun: tasks / runs, pairedNoFutilityTasksRun: tasksNo / runs, hoeffdingTasksRun: TASKS });
  }
  const pct = (x: unknown) => `${(100 * (x as number)).toFixed(1)}%`;
  const header = ['case', 'hoeffding accepts', 'paired accepts (without futility stop)', 'val tasks run (paired / without futility / hoeffding)'];
  const table = rows.map((r) => [
    r.case as string,
    pct(r.hoeffdingAccepts),
    `${pct(r.pairedAccepts)} (${pct(r.pairedNoFutilityAccepts)})`,
    `${(r.pairedTasksRun as number).toFixed(1)} / ${(r.pairedNoFutilityTasksRun as number).toFixed(1)} / ${TASKS}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...table.map(line)].join('\n')}\n`);
  process.stdout.write(`${TASKS} validation tasks, batches of ${STEP}, α = δ/${ROUNDS} = ${ALPHA.toFixed(4)}, ${runs} runs per case\n`);
  const path = join(__dirname, '..', '..', 'bench', 'results.json');
  const results = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  results[TASKS === 40 ? 'acceptanceGates' : `acceptanceGates${TASKS}`] = { tasks: TASKS, step: STEP, alpha: ALPHA, rows };
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
}

main();
