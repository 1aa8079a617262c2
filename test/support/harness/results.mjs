// Each suite writes one small JSON file with its counts, so scripts/test.sh can print a summary
// table without scraping three different output formats.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './paths.mjs';

/** Writes artifacts/results/<suite>.json and prints the one-line count for the suite. */
export function reportSuite(suite, { passed, failed, pending = 0, durationMs, note }) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${suite}.json`), `${JSON.stringify({ suite, passed, failed, pending, durationMs, note }, null, 2)}\n`);
  const seconds = (durationMs / 1000).toFixed(1);
  console.log(`\n${suite}: ${passed} passed, ${failed} failed, ${pending} pending in ${seconds} s${note ? ` (${note})` : ''}`);
}
