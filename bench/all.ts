/**
 * Runs every benchmark, each as a child process, and writes bench/results.json:
 *   {generatedAt, machine: {cpus, node}, results: {P1, P2, P3, P4, P5, P6, sim, fuzz, hardening}}
 * then prints a compact summary. A benchmark that fails is recorded with its error; the others
 * still run. Expects the bundles of `node scripts/build.mjs --bench` in out/bench.
 *
 *   node out/bench/all.js [--fuzz-cases 100000] [--edit-cases 10000] [--only P1,P2,…|NAME,…]
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** out/bench/all.js → the repository root. */
const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'out', 'bench');
const FUZZ_CASES = arg('fuzz-cases') ?? '100000';
const EDIT_CASES = arg('edit-cases') ?? '10000';
const ONLY = arg('only')?.split(',');

const GROUPS = ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'sim', 'fuzz', 'hardening'] as const;
type Group = (typeof GROUPS)[number];

interface Job {
  group: Group;
  name: string;
  nodeArgs?: string[];
  script: string;
  args?: string[];
}

const JOBS: Job[] = [
  { group: 'P1', name: 'parseUnits', nodeArgs: ['--expose-gc'], script: 'parseUnits.js' },
  { group: 'P1', name: 'incrementalParse', script: 'incrementalParse.js' },
  // The in-host and browser benchmarks drive code-server from their source (the harness finds its
  // files relative to itself), so they run unbundled from bench/.
  { group: 'P1', name: 'codeLensHost', script: '../../bench/codeLensHost.mjs' },
  { group: 'P2', name: 'ingest', script: 'ingest.js' },
  { group: 'P2', name: 'ingestRss', script: 'ingestRss.js' },
  { group: 'P3', name: 'llmThroughput', script: 'llmThroughput.js' },
  { group: 'P3', name: 'rollouts', script: 'rollouts.js' },
  { group: 'P4', name: 'queryComplexity', script: 'queryComplexity.js' },
  { group: 'P5', name: 'panelHost', script: '../../bench/panelHost.mjs' },
  { group: 'P6', name: 'peers-mixed-noise30', script: 'peers/run.js', args: ['--scenario', 'bench/sim/scenarios/mixed-noise30.json', '--budget-sweep', '800,1200,1600,ours'] },
  { group: 'P6', name: 'peers-debate-missing', script: 'peers/run.js', args: ['--scenario', 'bench/sim/scenarios/debate-missing.json', '--budget-sweep', '800,1200,1600,ours'] },
  // Five (three) seeds each: one seed's comparison between a method and its ablations is noisy.
  { group: 'sim', name: 'mixed-noise30', script: 'sim/run.js', args: ['--scenario', 'bench/sim/scenarios/mixed-noise30.json', '--ablations', '--seeds', '5'] },
  { group: 'sim', name: 'bcd-aggregator-noise30', script: 'sim/run.js', args: ['--scenario', 'bench/sim/scenarios/bcd-aggregator-noise30.json', '--method', 'bcd', '--ablations', '--seeds', '3'] },
  // Quality against calls at one budget for every variant and GEPA (does credit pay for itself?).
  ...['mixed-noise30', 'debate-missing', 'bcd-aggregator-noise30', 'hard-noise50', 'bcd-aggregator'].map((s): Job => ({ group: 'sim', name: `curve-${s}`, script: 'sim/qualityVsCalls.js', args: ['--scenario', `bench/sim/scenarios/${s}.json`, '--budget', '1600', '--seeds', '2'] })),
  { group: 'sim', name: 'intervene', script: 'sim/intervene.js' },
  { group: 'fuzz', name: 'fuzz', script: 'fuzz.js', args: ['--cases', FUZZ_CASES] },
  { group: 'hardening', name: 'editProperties', script: 'hardening/editProperties.js', args: ['--cases', EDIT_CASES] },
  { group: 'hardening', name: 'security', script: 'hardening/security.js' },
];

type Outcome = { ok: true; seconds: number; output: unknown } | { ok: false; seconds: number; error: string };

/** Runs one benchmark; its stdout must end with one JSON document. */
function run(job: Job): Promise<Outcome> {
  const started = performance.now();
  return new Promise((done) => {
    execFile(process.execPath, [...(job.nodeArgs ?? []), join(OUT, job.script), ...(job.args ?? [])], { cwd: ROOT, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
      if (error) return done({ ok: false, seconds, error: `${error.message.split('\n')[0]}\n${stderr.trim().split('\n').slice(-6).join('\n')}` });
      const text = stdout.trim();
      const at = text.lastIndexOf('\n{\n') >= 0 && !text.startsWith('{') ? text.lastIndexOf('\n{\n') + 1 : text.indexOf('{');
      try {
        done({ ok: true, seconds, output: JSON.parse(text.slice(at)) });
      } catch {
        done({ ok: false, seconds, error: `the output is not JSON: ${text.slice(0, 300)}` });
      }
    });
  });
}

/** The one or two figures per benchmark that the summary table shows. */
function headline(name: string, o: Outcome): string {
  if (!o.ok) return `FAILED: ${o.error.split('\n')[0]}`;
  const r = o.output as Record<string, any>;
  switch (name) {
    case 'parseUnits':
      return `units ${r.unitsParse?.wallMs} ms vs markdown-it ${r.markdownItParse?.wallMs} ms = ${r.ratioVsMarkdownIt?.wall}× (target ≤ 1.5)`;
    case 'ingest':
      return `native ${r.fileMB} MB: ${r.ratioVsReadlineBaseline}× readline+JSON.parse (target ≥ 0.7); OTLP ${r.otlp?.fileMB} MB, median of ${r.otlp?.rounds} interleaved rounds: ${r.otlp?.ratios?.wall?.median}× wall (${r.otlp?.ratios?.wall?.min}–${r.otlp?.ratios?.wall?.max}), ${r.otlp?.ratios?.cpu?.median}× CPU (${r.otlp?.ratios?.cpu?.min}–${r.otlp?.ratios?.cpu?.max}) at load ${r.otlp?.loadAverage?.before?.[0]} (target ≥ 0.5)`;
    case 'ingestRss':
      return (r.sizes ?? []).map((s: any) => `${s.requestedMB} MB → ${s.peakRssMB} MB RSS`).join(', ');
    case 'llmThroughput':
      return `chat @16: ${r.chat?.[2]?.callsPerSecond} calls/s (${r.chat?.[2]?.speedupVsConcurrency1}× of @1)`;
    case 'rollouts':
      return `${r.wallSeconds} s vs bound ${r.bound?.seconds} s = ${r.ratioVsBound}× (target ≤ 1.25), ${r.callsPerSecond} calls/s, event loop ${r.eventLoopUtilization} busy, ${r.cpuMsPerCall} ms CPU/call`;
    case 'incrementalParse':
      return Object.entries(r.results ?? {})
        .map(([edit, x]: [string, any]) => `${edit}: ${x.incrementalMs?.p50} ms (p95 ${x.incrementalMs?.p95}) vs full ${x.fullMs?.p50} ms`)
        .join('; ');
    case 'codeLensHost': {
      const h = r.headline ?? {};
      return `${h.units} units: edit→visible lenses ${h.editThenVisibleMedianMs} ms, visible after edit ${h.visibleAfterEditMedianMs} ms (baseline ${h.baselineVisibleAfterEditMedianMs}), all ${h.allAfterEditMedianMs} ms (target ≤ 50)`;
    }
    case 'queryComplexity': {
      const o = r.overall ?? {};
      return `optimizer calls ${o.optimizerCalls?.ours} vs naive ${o.optimizerCalls?.naive} = ${o.comparableRatio}× (${o.comparableFigure}; target ≤ 0.5), tokens ${o.optimizerTokens?.ratio}×, working rounds ${o.activeRounds?.callsRatio}×; replay: resume ${o.replayServerRequests?.resume} calls, rerun ${o.replayServerRequests?.rerun}`;
    }
    case 'panelHost': {
      const h = r.headline ?? {};
      return `first render ${h.firstRenderMs} ms, grid ${h.gridRenderMs} ms, scroll p95 list ${h.taskListScrollP95Ms} / grid ${h.gridScrollP95Ms} ms, DOM rows ${h.rowsInDom?.taskList}/${h.rowsInDom?.grid}`;
    }
    case 'peers-mixed-noise30':
    case 'peers-debate-missing':
      return (r.rows ?? []).map((x: any) => `${x.optimizer} @${x.budget}: recall ${x.recall}, precision ${x.precision}, test ${x.test?.before}→${x.test?.after}, ${x.llmCalls} calls (${x.toBest?.llmCalls} to best)`).join('; ');
    case 'editProperties':
      return `${r.totals?.cases} cases, ${r.totals?.failures} failures (bytes outside target, stale never applied, revert byte-identical)`;
    case 'security':
      return `${r.totals?.attempts} attempts, ${r.totals?.unsafe} unsafe (canary, paths, webview, untrusted, traces as data, run refs, CLI trust, MAS env, OTLP auth, prompt files, apply race)`;
    case 'fuzz':
      return `${r.totals?.cases} cases, ${r.totals?.crashes} crashes, ${r.totals?.errorsWithoutLocation} errors without location, ${r.totals?.findings} findings`;
    case 'curve-mixed-noise30':
    case 'curve-debate-missing':
    case 'curve-bcd-aggregator-noise30':
    case 'curve-hard-noise50':
    case 'curve-bcd-aggregator':
      return `mean test over ${r.budget} calls: ${Object.entries(r.meanTestOverBudget ?? {}).map(([v, x]) => `${v} ${x}`).join(', ')}; full vs no-credit at ${r.fullVsNoCredit?.checkpoints} checkpoints: ahead ${r.fullVsNoCredit?.fullAhead}, tied ${r.fullVsNoCredit?.tied}, behind ${r.fullVsNoCredit?.noCreditAhead}`;
    case 'intervene':
      return (r.scenarios ?? []).map((x: any) => `${x.scenario}: step ${x.creditAlone?.stepAccuracy}→${x.withIntervention?.stepAccuracy}, agent ${x.creditAlone?.agentAccuracy}→${x.withIntervention?.agentAccuracy}, ${x.withIntervention?.calls} calls`).join('; ');
    default: {
      // bench:sim: the mean per variant over seeds (or the one seed's figures).
      const means: Record<string, any> = r.mean ?? { full: r, ...(r.ablations ?? {}) };
      const f = (x: number | null | undefined) => (typeof x === 'number' ? Number(x.toFixed(2)) : '–');
      return Object.entries(means)
        .map(([v, m]) => `${v}: recall ${f(m.recall)}, precision ${f(m.precision)}, test ${f(m.test?.before)}→${f(m.test?.after)}, ${Math.round(m.llmCalls ?? 0)} calls`)
        .join('; ');
    }
  }
}

async function main(): Promise<void> {
  const results = Object.fromEntries(GROUPS.map((g) => [g, {}])) as Record<Group, Record<string, unknown>>;
  const rows: [string, string, string][] = [];
  for (const job of JOBS) {
    if (ONLY && !ONLY.includes(job.group) && !ONLY.includes(job.name)) continue;
    process.stderr.write(`running ${job.name}…\n`);
    const outcome = await run(job);
    (results[job.group] as Record<string, unknown>)[job.name] = outcome.ok ? { seconds: outcome.seconds, ...(outcome.output as object) } : { error: outcome.error, seconds: outcome.seconds };
    rows.push([job.name, `${outcome.seconds}s`, headline(job.name, outcome)]);
  }
  const report = { generatedAt: new Date().toISOString(), machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version }, results };
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${rows.map(([n, s, h]) => `${n.padEnd(width)}  ${s.padStart(7)}  ${h}`).join('\n')}\nwritten: bench/results.json\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
