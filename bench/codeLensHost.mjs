#!/usr/bin/env node
/**
 * P1 CodeLens in the real extension host (target: provide + resolve ≤ 50 ms for a 2,000-unit
 * file, shown in an editor; the extension hands over the lenses near the visible lines). Starts code-server with the extension under development (dist/), runs
 * out/test/integration/bench/codeLensInHost.js inside its extension host (see that module for what
 * is timed) and prints one JSON document; its headline is also stored under "codeLens" in
 * bench/results.json (other keys kept). Progress goes to stderr.
 *
 *   node scripts/build.mjs --bench && node bench/codeLensHost.mjs [--units 2000] [--samples 15]
 *                                                                  [--visible 50] [--cold-files 4]
 *                                                                  [--timeout-s 300] [--profile x.cpuprofile]
 *
 * Plain JavaScript run from its source path, like the test harness it uses (bundling would break
 * the harness's import.meta.url paths). Needs code-server (scripts/install-code-server.sh) and
 * Chromium, as the in-host tests do.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { onInterrupt } from '../test/support/harness/codeServer.mjs';
import { runModuleInHost } from '../test/support/harness/inHostModule.mjs';
import { assertPrerequisites, repoRoot } from '../test/support/harness/paths.mjs';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '2000' },
    samples: { type: 'string', default: '15' },
    visible: { type: 'string', default: '50' },
    'cold-files': { type: 'string', default: '4' },
    // A CPU profile of the extension host over the warm samples, for finding where its time goes.
    profile: { type: 'string' },
    // A loaded machine (shared cores) can need longer than the harness's default five minutes.
    'timeout-s': { type: 'string', default: '300' },
  },
});
const benchOptions = { units: Number(values.units), samples: Number(values.samples), visible: Number(values.visible), coldFiles: Number(values['cold-files']), ...(values.profile ? { profile: resolve(values.profile) } : {}) };
const modulePath = join(repoRoot, 'out', 'test', 'integration', 'bench', 'codeLensInHost.js');
const LINE_PREFIX = '[truce-bench] ';
const TARGET_MS = 50;

assertPrerequisites(['codeServer', 'chromium', 'extensionBuild', 'fixture']);
if (!existsSync(modulePath)) throw new Error(`${modulePath} is missing: run \`node scripts/build.mjs --bench\``);

const scratch = await mkdtemp(join(tmpdir(), 'truce-bench-codelens-'));
onInterrupt(() => rm(scratch, { recursive: true, force: true }));
const resultFile = join(scratch, 'result.json');
const started = Date.now();
const loadBefore = loadavg()[0];
try {
  const outcome = await runModuleInHost({
    label: 'bench-codelens',
    modulePath,
    env: { TRUCE_BENCH_RESULT_FILE: resultFile, TRUCE_BENCH_OPTIONS: JSON.stringify(benchOptions), TRUCE_BENCH_LINE_PREFIX: LINE_PREFIX },
    linePrefix: LINE_PREFIX,
    timeoutMs: Number(values['timeout-s']) * 1000,
    onLine: (line) => process.stderr.write(`[codelens] ${line}\n`),
  });
  if (!existsSync(resultFile)) throw new Error('the in-host benchmark wrote no result');
  const inHost = JSON.parse(await readFile(resultFile, 'utf8'));
  const { afterOneLineEdit: edited, cold } = inHost.extension;
  const report = {
    benchmark: 'P1 CodeLens in the extension host (code-server, vscode.executeCodeLensProvider)',
    // Other work on the machine slows both sides: read figures next to the load and the baseline.
    machine: { cpus: cpus().length, node: process.version, loadBefore: round2(loadBefore), loadAfter: round2(loadavg()[0]) },
    options: benchOptions,
    targetMs: TARGET_MS,
    headline: {
      units: inHost.file.units,
      // What a user waits for after typing: provide + resolve of the lenses in view…
      visibleAfterEditMedianMs: edited.visible.medianMs,
      visibleAfterEditP95Ms: edited.visible.p95Ms,
      // …counted from the edit (the extension re-parses while the change event is delivered).
      editThenVisibleMedianMs: edited.editThenVisible.medianMs,
      editThenVisibleP95Ms: edited.editThenVisible.p95Ms,
      allAfterEditMedianMs: edited.all.medianMs,
      allAfterEditP95Ms: edited.all.p95Ms,
      coldOpenToVisibleMedianMs: cold.visibleOpenToLenses.medianMs,
      indexParseMedianMs: inHost.indexParse.medianMs,
      // The extension's own share: its provider called in-process, no messages.
      directProvideAfterEditMedianMs: inHost.direct.provideAfterEdit.medianMs,
      directProvideAfterEditP95Ms: inHost.direct.provideAfterEdit.p95Ms,
      directResolveVisibleMedianMs: inHost.direct.resolveVisible.medianMs,
      directResolveAllMedianMs: inHost.direct.resolveAll.medianMs,
      // Lenses handed over for the file shown in an editor (the extension windows long files).
      lensesHandedOver: inHost.lensesHandedOver,
      // A no-work provider handing over every lens, and one windowing as the extension does.
      baselineVisibleAfterEditMedianMs: inHost.baseline.afterOneLineEdit.visible.medianMs,
      baselineVisibleAfterEditP95Ms: inHost.baseline.afterOneLineEdit.visible.p95Ms,
      baselineWindowedVisibleAfterEditMedianMs: inHost.baselineWindowed.afterOneLineEdit.visible.medianMs,
      baselineWindowedVisibleAfterEditP95Ms: inHost.baselineWindowed.afterOneLineEdit.visible.p95Ms,
      // What the extension adds to VS Code's own round trips, as a difference of medians.
      visibleAfterEditOverBaselineMs: round2(edited.visible.medianMs - inHost.baseline.afterOneLineEdit.visible.medianMs),
      visibleAfterEditOverWindowedBaselineMs: round2(edited.visible.medianMs - inHost.baselineWindowed.afterOneLineEdit.visible.medianMs),
      editOverBaselineMs: round2(edited.editMs.medianMs - inHost.baseline.afterOneLineEdit.editMs.medianMs),
      visibleWithinTarget: edited.visible.medianMs <= TARGET_MS,
      allWithinTarget: edited.all.medianMs <= TARGET_MS,
    },
    ...inHost,
    harness: { serverReadyMs: outcome.serverReadyMs, workbenchToExitMs: outcome.workbenchToExitMs, wallSeconds: Number(((Date.now() - started) / 1000).toFixed(1)) },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const resultsPath = join(repoRoot, 'bench', 'results.json');
  const results = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
  results.codeLens = { machine: report.machine, options: benchOptions, targetMs: TARGET_MS, headline: report.headline, baselinePhases: inHost.baselinePhases, baselineWindowedPhases: inHost.baselineWindowedPhases, swappedLanguages: inHost.swappedLanguages, ratioVsBaseline: inHost.ratioVsBaseline, ratioVsWindowedBaseline: inHost.ratioVsWindowedBaseline };
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
  process.stderr.write(`written: bench/results.json (key "codeLens")\n`);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

function round2(x) {
  return Number(x.toFixed(2));
}
