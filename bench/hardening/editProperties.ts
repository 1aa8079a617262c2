/**
 * The edit properties of issue 7 at scale: 10k cases each (by default) of
 *  - bytes outside the target unchanged (Markdown and YAML documents, random ADD/MODIFY/DELETE),
 *  - stale suggestions never applied (target reworded after the suggestion was made),
 *  - revert byte-identical (apply and revert through the ledger, on disk).
 * The properties are the ones the unit tests run on a few hundred cases
 * (test/support/properties/unitEditProperties.ts). Prints one JSON document with cases, failures
 * and seconds per property; a failure carries fast-check's counterexample and seed to replay it.
 *
 *   node out/bench/hardening/editProperties.js [--cases 10000] [--seed 7]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { bytesOutsideTarget, markdownDoc, opArb, revertByteIdentical, ruleText, staleNeverApplied, yamlDoc } from '../../test/support/properties/unitEditProperties';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const CASES = Number(arg('cases') ?? 10_000);
const SEED = Number(arg('seed') ?? 7);

interface PropertyReport {
  cases: number;
  /** Cases fast-check skipped because a precondition did not hold (they are not counted in cases). */
  skipped: number;
  failures: number;
  seconds: number;
  counterexample?: string;
}

async function measure(run: (params: fc.Parameters<unknown>) => Promise<fc.RunDetails<unknown>> | fc.RunDetails<unknown>): Promise<PropertyReport> {
  const started = performance.now();
  const details = await run({ numRuns: CASES, seed: SEED, maxSkipsPerRun: 10 });
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  return {
    cases: details.numRuns,
    skipped: details.numSkips,
    failures: details.failed ? 1 : 0,
    seconds,
    ...(details.failed ? { counterexample: `${String(details.errorInstance ?? '').slice(0, 600)} (seed ${details.seed}, path ${details.counterexamplePath})` } : {}),
  };
}

async function main(): Promise<void> {
  // The ledger syncs every write to disk; on a memory file system (when there is one) the 10k
  // apply/revert rounds measure the product's logic rather than the disk.
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const scratch = mkdtempSync(join(base, 'truce-edit-properties-'));
  try {
    const staleOp = fc.constantFrom('MODIFY' as const, 'DELETE' as const);
    const results: Record<string, PropertyReport> = {
      bytesOutsideTargetMarkdown: await measure((p) => fc.check(fc.property(markdownDoc, fc.nat(), opArb, ruleText, (t, k, o, n) => bytesOutsideTarget(t, 'p.md', k, o, n)), p)),
      bytesOutsideTargetYaml: await measure((p) => fc.check(fc.property(yamlDoc, fc.nat(), opArb, ruleText, (t, k, o, n) => bytesOutsideTarget(t, 'agents.yaml', k, o, n)), p)),
      staleNeverApplied: await measure((p) => fc.check(fc.asyncProperty(markdownDoc, fc.nat(), staleOp, ruleText, ruleText, (t, k, o, n, r) => staleNeverApplied(t, k, o, n, r)), p)),
      revertByteIdentical: await measure((p) => fc.check(fc.asyncProperty(markdownDoc, fc.nat(), opArb, ruleText, (t, k, o, n) => revertByteIdentical(scratch, t, k, o, n)), p)),
    };
    const totals = {
      cases: Object.values(results).reduce((a, r) => a + r.cases, 0),
      failures: Object.values(results).reduce((a, r) => a + r.failures, 0),
    };
    process.stdout.write(`${JSON.stringify({ benchmark: 'edit properties', casesPerProperty: CASES, seed: SEED, scratch: base, totals, properties: results }, null, 2)}\n`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
