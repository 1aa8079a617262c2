/**
 * Does a change to the OTLP importer keep its output to the byte? Imports the same inputs with the
 * importer of an earlier commit and with the working tree's, and compares the serialised results
 * (trajectories and issues, as `truce import` would write them). Prints JSON; exits 1 on any
 * difference, with the first one shown.
 *
 * Inputs: every file of ../shared/fixtures/otel (when present), the ingest benchmark's OTLP corpus
 * (bench/support/generateOtlpSession.ts), any `--file` given, and `--cases` inputs drawn from the
 * OTLP fuzz target (seeded, damaged at the JSON and text level, so the error paths are compared too).
 *
 *   node scripts/build.mjs --bench
 *   node out/bench/otlpSameOutput.js [--before REV=HEAD] [--cases 20000] [--seed 7] [--otlp-mb 32] [--file PATH]...
 *
 * The earlier importer is taken from `git archive REV src` and bundled with esbuild into a temporary
 * folder, so the comparison runs in one process on identical inputs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { importOtlpText, type ImportResult } from '../src/core/trajectory';
import { SEEDS } from '../test/support/fuzz';
import { importCases } from '../test/support/fuzz/trajectoryInputs';
import { sharedFixturesDir } from '../test/support/sharedFixtures';
import { generateOtlp } from './support/generateOtlpSession';

type Importer = (text: string, options?: { source?: string }) => ImportResult;

const ROOT = resolve(__dirname, '..', '..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function options(name: string): string[] {
  return process.argv.flatMap((a, i) => (a === `--${name}` && process.argv[i + 1] !== undefined ? [process.argv[i + 1] as string] : []));
}

/** The importer as it was at `rev`, bundled from that commit's sources. */
function importerAt(rev: string, dir: string): Importer {
  const archive = execFileSync('git', ['archive', rev, 'src'], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  const outfile = join(dir, 'before.js');
  // esbuild is a development dependency of this repository; resolved at run time, like fast-check.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [join(dir, 'src', 'core', 'trajectory', 'importOtlp.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    nodePaths: [join(ROOT, 'node_modules')],
    logLevel: 'error',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(outfile) as { importOtlpText: Importer }).importOtlpText;
}

/** The output as written out, or the exception either importer threw (which the contract forbids). */
function serialised(importer: Importer, text: string, source: string): string {
  try {
    return JSON.stringify(importer(text, { source }));
  } catch (error) {
    return `threw: ${(error as Error)?.message ?? String(error)}`;
  }
}

interface Difference {
  input: string;
  before: string;
  after: string;
}

/** The first differing character and some context on each side. */
function firstDifference(name: string, before: string, after: string): Difference {
  let at = 0;
  while (at < before.length && before[at] === after[at]) at++;
  const around = (s: string) => s.slice(Math.max(0, at - 200), at + 200);
  return { input: name, before: around(before), after: around(after) };
}

async function main(): Promise<void> {
  const rev = option('before') ?? 'HEAD';
  const cases = Number(option('cases') ?? 20_000);
  const seed = Number(option('seed') ?? 7);
  const otlpMB = Number(option('otlp-mb') ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'truce-otlp-same-'));
  try {
    const before = importerAt(rev, dir);
    const files: { name: string; text: string }[] = [];
    const fixtures = sharedFixturesDir();
    if (fixtures) {
      const otel = join(fixtures, 'otel');
      for (const name of readdirSync(otel).sort()) if (statSync(join(otel, name)).isFile()) files.push({ name: `fixtures/otel/${name}`, text: readFileSync(join(otel, name), 'utf8') });
    }
    const corpus = join(dir, 'ingest.otlp.jsonl');
    await generateOtlp(corpus, otlpMB);
    files.push({ name: `bench corpus (${otlpMB} MB)`, text: readFileSync(corpus, 'utf8') });
    for (const path of options('file')) files.push({ name: path, text: readFileSync(path, 'utf8') });

    const differences: Difference[] = [];
    const fileReports = files.map(({ name, text }) => {
      const a = serialised(before, text, name);
      const b = serialised(importOtlpText, text, name);
      if (a !== b) differences.push(firstDifference(name, a, b));
      return { input: name, bytes: text.length, outputSha256: createHash('sha256').update(b).digest('hex').slice(0, 16), same: a === b };
    });

    let fuzzSame = 0;
    let fuzzThrew = 0;
    const fuzzSeeds = [...SEEDS.otlp, ...files.filter((f) => f.name.startsWith('fixtures/')).map((f) => f.text)];
    const BATCH = 500;
    for (let done = 0, batch = 0; done < cases; batch++) {
      const inputs = fc.sample(importCases('otlp', fuzzSeeds), { numRuns: Math.min(BATCH, cases - done), seed: seed + batch });
      for (const { text } of inputs) {
        done += 1;
        const a = serialised(before, text, 'fuzz.json');
        const b = serialised(importOtlpText, text, 'fuzz.json');
        if (a.startsWith('threw: ') || b.startsWith('threw: ')) fuzzThrew += 1;
        if (a === b) fuzzSame += 1;
        else if (differences.length < 5) differences.push(firstDifference(`fuzz case ${done} (seed ${seed + batch}): ${JSON.stringify(text.slice(0, 300))}`, a, b));
      }
    }
    const same = differences.length === 0;
    process.stdout.write(`${JSON.stringify({ benchmark: 'OTLP importer output, before and after', before: rev, files: fileReports, fuzz: { cases, seed, same: fuzzSame, threw: fuzzThrew }, same, differences }, null, 2)}\n`);
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
