/**
 * Fuzzing at scale: the properties of the fast slice in test/unit/fuzz, on many more cases.
 * Prints JSON with, per target: cases, crashes (the code under test threw), findings by kind
 * (errorsWithoutLocation among them), how many findings match a defect already reported
 * (test/support/fuzz/knownDefects.ts), seconds, and the first input of every kind of finding.
 *
 *   node out/bench/fuzz.js [--cases 100000] [--seed 7] [--structured-cases N] [--target NAME]
 *
 * The structured-call target makes real HTTP calls to the fake server (one or two per case), so by
 * default it runs a tenth of the cases. With ../shared/fixtures present, the real MARBLE, OTLP and
 * Who&When files there are added as seeds for the import targets (read in place, never copied).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { configTarget, extractJsonTarget, importTarget, knownDefect, openOtlpFileTarget, openStructuredTarget, promptFileTarget, SEEDS, type FuzzTarget, type ImportFormat } from '../test/support/fuzz';
import { sharedFixturesDir } from '../test/support/sharedFixtures';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const CASES = Number(arg('cases') ?? 100_000);
const SEED = Number(arg('seed') ?? 7);
const STRUCTURED_CASES = Number(arg('structured-cases') ?? Math.max(1, Math.round(CASES / 10)));
const ONLY = arg('target');
/** Inputs are drawn in batches so a run of 100k cases never holds them all. */
const BATCH = 500;

interface TargetReport {
  cases: number;
  crashes: number;
  errorsWithoutLocation: number;
  findings: Record<string, number>;
  /** Crashes and findings that match an already reported defect. */
  known: Record<string, number>;
  seconds: number;
  examples: Array<{ kind: string; message: string; input: string; stack?: string }>;
}

async function runTarget<T>(target: FuzzTarget<T>, cases: number, seed: number): Promise<TargetReport> {
  const report: TargetReport = { cases: 0, crashes: 0, errorsWithoutLocation: 0, findings: {}, known: {}, seconds: 0, examples: [] };
  const seen = new Set<string>();
  const note = (kind: string, message: string, input: T, stack?: string) => {
    const known = knownDefect(target.name, message);
    if (known) report.known[known.id] = (report.known[known.id] ?? 0) + 1;
    const key = known ? `known:${known.id}` : kind;
    if (seen.has(key) || report.examples.length >= 12) return;
    seen.add(key);
    report.examples.push({ kind: known ? `${kind} (known: ${known.id})` : kind, message: message.slice(0, 500), input: target.show(input).slice(0, 2000), ...(stack ? { stack: stack.split('\n').slice(0, 8).join('\n') } : {}) });
  };
  const started = performance.now();
  for (let batch = 0; report.cases < cases; batch++) {
    const inputs = fc.sample(target.arbitrary, { numRuns: Math.min(BATCH, cases - report.cases), seed: seed + batch });
    for (const input of inputs) {
      report.cases += 1;
      try {
        for (const f of await target.check(input)) {
          report.findings[f.kind] = (report.findings[f.kind] ?? 0) + 1;
          if (f.kind === 'error-without-location') report.errorsWithoutLocation += 1;
          note(f.kind, f.message, input);
        }
      } catch (error) {
        report.crashes += 1;
        note('crash', (error as Error)?.message ?? String(error), input, (error as Error)?.stack);
      }
    }
  }
  report.seconds = Number(((performance.now() - started) / 1000).toFixed(2));
  return report;
}

/** Real files from ../shared/fixtures for the import targets, when they are there. */
function fixtureSeeds(format: ImportFormat): string[] {
  const root = sharedFixturesDir();
  const folder = { native: undefined, otlp: 'otel', marble: 'marble', whowhen: 'whowhen' }[format];
  if (!root || !folder) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.jsonl?$/.test(name) && statSync(full).size < 256 * 1024 && out.length < 6) out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(join(root, folder));
  return out;
}

async function main(): Promise<void> {
  const results: Record<string, TargetReport> = {};
  const wanted = (name: string) => !ONLY || name.includes(ONLY);
  const plain: FuzzTarget<any>[] = [promptFileTarget, configTarget, ...(['native', 'otlp', 'marble', 'whowhen'] as const).map((f) => importTarget(f, [...SEEDS[f], ...fixtureSeeds(f)])), extractJsonTarget];
  for (const target of plain) if (wanted(target.name)) results[target.name] = await runTarget(target, CASES, SEED);
  const otlpFile = openOtlpFileTarget([...SEEDS.otlp, ...fixtureSeeds('otlp')]);
  try {
    if (wanted(otlpFile.name)) results[otlpFile.name] = await runTarget(otlpFile, CASES, SEED);
  } finally {
    otlpFile.close();
  }
  if (wanted('structured call')) {
    const structured = await openStructuredTarget();
    try {
      results[structured.name] = await runTarget(structured, STRUCTURED_CASES, SEED);
    } finally {
      await structured.close();
    }
  }
  const totals = Object.values(results).reduce(
    (t, r) => ({ cases: t.cases + r.cases, crashes: t.crashes + r.crashes, errorsWithoutLocation: t.errorsWithoutLocation + r.errorsWithoutLocation, findings: t.findings + Object.values(r.findings).reduce((a, b) => a + b, 0) }),
    { cases: 0, crashes: 0, errorsWithoutLocation: 0, findings: 0 },
  );
  process.stdout.write(`${JSON.stringify({ benchmark: 'fuzz', seed: SEED, casesPerTarget: CASES, structuredCases: STRUCTURED_CASES, totals, targets: results }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
