/**
 * P1 parse: policy units of a generated ~1 MB prompt file against markdown-it's own parse of the
 * same text (the fastest CommonMark parser for JS), in the same process. Prints JSON.
 *   node out/bench/parseUnits.js [--mb 1] [--runs 15]
 */
import MarkdownIt from 'markdown-it';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { allUnits, parsePromptDocument } from '../src/core/units';
import { generatePrompt } from './generatePrompt';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  /** CPU time of every sample, in run order (samples of the candidates alternate). */
  cpuSamples: number[];
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.round((s.length - 1) * q)];
}

/**
 * Median wall and CPU time per candidate, the candidates run in alternation so that load changes
 * on a shared machine hit all alike, with a collected heap before each sample (run with
 * --expose-gc) so no candidate pays for another's garbage. CPU time counts every thread of the
 * process (GC helpers too); wall time is what a user waits for. Both are reported.
 */
function timeInterleaved(runs: number, fns: (() => void)[]): Timing[] {
  fns.forEach((fn) => fn());
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      (globalThis as { gc?: () => void }).gc?.();
      const c = process.cpuUsage();
      const t = performance.now();
      fn();
      wall[k].push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu[k].push((d.user + d.system) / 1000);
    });
  }
  return fns.map((_, k) => ({ wallMs: median(wall[k]), cpuMs: median(cpu[k]), cpuSamples: cpu[k] }));
}

const mb = arg('mb', 1);
const runs = arg('runs', 15);
const text = generatePrompt(mb * 1024 * 1024);
const md = new MarkdownIt();
const doc = parsePromptDocument(text, { uri: 'bench.md' });
// A one-line edit: the whole file is parsed again (the index caches per document version).
const lines = text.split('\n');
lines[Math.floor(lines.length / 2)] += ' edited';
const edited = lines.join('\n');
const [baselineMs, unitsMs, reparseMs] = timeInterleaved(runs, [
  () => md.parse(text, {}),
  () => parsePromptDocument(text, { uri: 'bench.md' }),
  () => parsePromptDocument(edited, { uri: 'bench.md' }),
]);
const round = (n: number) => +n.toFixed(1);
const result = {
  benchmark: 'P1 parse',
  bytes: text.length,
  units: allUnits(doc).length,
  agents: doc.agents.length,
  markdownItParse: { wallMs: round(baselineMs.wallMs), cpuMs: round(baselineMs.cpuMs) },
  unitsParse: { wallMs: round(unitsMs.wallMs), cpuMs: round(unitsMs.cpuMs) },
  ratioVsMarkdownIt: { wall: +(unitsMs.wallMs / baselineMs.wallMs).toFixed(2), cpu: +(unitsMs.cpuMs / baselineMs.cpuMs).toFixed(2) },
  // The ratio of each round's two samples (taken one after the other): its spread shows the noise.
  cpuRatioPerRound: (() => {
    const r = unitsMs.cpuSamples.map((c, i) => c / baselineMs.cpuSamples[i]);
    return { median: +median(r).toFixed(2), p25: +quantile(r, 0.25).toFixed(2), p75: +quantile(r, 0.75).toFixed(2), min: +Math.min(...r).toFixed(2), max: +Math.max(...r).toFixed(2) };
  })(),
  target: '<= 1.5',
  reparseAfterOneLineEdit: { wallMs: round(reparseMs.wallMs), cpuMs: round(reparseMs.cpuMs) },
  gcBetweenSamples: typeof (globalThis as { gc?: unknown }).gc === 'function',
  runs,
  loadAverage: loadavg().map((x) => +x.toFixed(1)),
};
console.log(JSON.stringify(result, null, 2));
