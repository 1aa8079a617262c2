/**
 * P1 parse: policy units of a generated ~1 MB prompt file against markdown-it's own parse of the
 * same text (the fastest CommonMark parser for JS), in the same process. Prints JSON.
 *   node out/bench/parseUnits.js [--mb 1] [--runs 15]
 */
import MarkdownIt from 'markdown-it';
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

/** Runs the candidates in alternation so that load changes on a shared machine hit all alike. */
function timeInterleaved(runs: number, fns: (() => void)[]): number[] {
  fns.forEach((fn) => fn());
  const samples: number[][] = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      // CPU time of this process, not wall time: other processes on a shared machine do not count.
      const t = process.cpuUsage();
      fn();
      const d = process.cpuUsage(t);
      samples[k].push((d.user + d.system) / 1000);
    });
  }
  return samples.map(median);
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
const result = {
  benchmark: 'P1 parse',
  bytes: text.length,
  units: allUnits(doc).length,
  agents: doc.agents.length,
  markdownItParseMs: +baselineMs.toFixed(1),
  unitsParseMs: +unitsMs.toFixed(1),
  ratioVsMarkdownIt: +(unitsMs / baselineMs).toFixed(2),
  target: '<= 1.5',
  reparseAfterOneLineEditMs: +reparseMs.toFixed(1),
};
console.log(JSON.stringify(result, null, 2));
