/**
 * P1 re-parse after an edit, in plain Node: the incremental parse (src/core/units/incremental)
 * against a full parse of the same edited text, on a generated prompt of about 2,000 units, for
 * the edits a user makes while typing. Prints JSON; figures are milliseconds per edit.
 *   node out/bench/incrementalParse.js [--units 2000] [--edits 200]
 */
import { performance } from 'node:perf_hooks';
import { allUnits, parsePromptDocument } from '../src/core/units';
import { parseIncrementally, type IncrementalParse } from '../src/core/units/incremental/parseIncrementally';
import { generatePrompt } from './generatePrompt';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const URI = 'bench-units.prompt.md';
const unitCount = (text: string) => allUnits(parsePromptDocument(text, { uri: URI })).length;

/** The smallest generated prompt with at least `target` units (the same search as the in-host bench). */
function promptWithUnits(target: number): string {
  let high = 4096;
  while (unitCount(generatePrompt(high)) < target) high *= 2;
  let low = high / 2;
  while (high - low > 256) {
    const middle = Math.floor((low + high) / 2);
    if (unitCount(generatePrompt(middle)) >= target) high = middle;
    else low = middle;
  }
  return generatePrompt(high);
}

/** Edits as typed: each returns the new text given the current one and the edit's number. */
const EDITS: Record<string, (text: string, n: number) => string> = {
  // What bench:codelens does: swap one word of a bullet in the middle of the file.
  'replace a word in a bullet': (text, n) => {
    const at = text.indexOf('\n- ', Math.floor(text.length / 2)) + 3;
    return text.slice(0, at) + (n % 2 ? 'mind' : 'heed') + text.slice(text.indexOf(' ', at));
  },
  'type a character': (text, n) => {
    const at = text.indexOf('\n1. ', Math.floor((text.length * (n % 7)) / 8)) + 4;
    return n % 2 ? text.slice(0, at) + 'x' + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  },
  'add and remove a bullet line': (text, n) => {
    const at = text.indexOf('\n- ', Math.floor(text.length / 3)) + 1;
    return n % 2 ? text.slice(0, at) + '- Always answer in English.\n' + text.slice(at) : text.slice(0, at) + text.slice(text.indexOf('\n', at) + 1);
  },
  'rename a section heading': (text, n) => {
    const at = text.indexOf('\n## Section ', Math.floor(text.length / 2)) + 12;
    return text.slice(0, at) + (n % 2 ? 'Z' : '') + text.slice(n % 2 ? at : at + 1);
  },
};

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function summary(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  return { p50: +percentile(s, 0.5).toFixed(2), p95: +percentile(s, 0.95).toFixed(2) };
}

const edits = arg('edits', 200);
const text = promptWithUnits(arg('units', 2000));
const units = unitCount(text);
const results: Record<string, unknown> = {};
for (const [name, edit] of Object.entries(EDITS)) {
  let current = text;
  let parse: IncrementalParse = parseIncrementally(current, { uri: URI });
  const incremental: number[] = [];
  const full: number[] = [];
  const modes: Record<string, number> = {};
  let linesRead = 0;
  for (let n = 0; n < edits; n++) {
    // A flat string, as the editor's getText() gives: a concatenation is a rope V8 reads slowly.
    current = edit(current, n).split('\n').join('\n');
    // Alternate which goes first, so load changes on a shared machine hit both alike.
    const runIncremental = () => {
      const started = performance.now();
      parse = parseIncrementally(current, { uri: URI }, parse);
      incremental.push(performance.now() - started);
    };
    const runFull = () => {
      const started = performance.now();
      parsePromptDocument(current, { uri: URI });
      full.push(performance.now() - started);
    };
    if (n % 2) {
      runIncremental();
      runFull();
    } else {
      runFull();
      runIncremental();
    }
    modes[parse.how.mode] = (modes[parse.how.mode] ?? 0) + 1;
    linesRead += parse.how.linesRead;
  }
  // The benchmark is only worth its figures if the result is the full parse's.
  if (JSON.stringify(parse.document) !== JSON.stringify(parsePromptDocument(current, { uri: URI }))) throw new Error(`${name}: the incremental parse differs from the full parse`);
  results[name] = { incrementalMs: summary(incremental), fullMs: summary(full), modes, meanLinesRead: Math.round(linesRead / edits) };
}
console.log(JSON.stringify({ benchmark: 'P1 re-parse after an edit (plain Node)', units, characters: text.length, lines: text.split('\n').length, edits, results }, null, 2));
