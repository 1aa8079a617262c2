#!/usr/bin/env node
// Runs the e2e scenarios (test/e2e/*.e2e.mjs) against the packaged extension in a real
// code-server workbench, driven by Debian's Chromium through playwright-core.
//
//   node test/e2e/run.mjs [--grep TEXT]
//
// Needs: out/truce.vsix (`npm run package`), dist/cli.js, code-server
// (scripts/install-code-server.sh) and chromium. Screenshots go to artifacts/screenshots/; a
// failing scenario leaves its screenshot and logs in artifacts/e2e/<scenario>/.
//
// A scenario file default-exports an array of scenarios:
//   { name: string,                        // shown in the report; also names the artifacts folder
//     settings?: object,                   // extra user settings for this scenario's workbench
//     env?: object,                        // extra environment for its server and extension host
//     timeoutMs?: number,                  // default 90 s
//     run: async (session) => void }       // see test/support/harness/e2e.mjs for the session API
// Each scenario gets a fresh workspace copy, server and browser context; assertions throw.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { onInterrupt } from '../support/harness/codeServer.mjs';
import { E2eHarness, e2eArtifactsDir, screenshotsDir } from '../support/harness/e2e.mjs';
import { assertPrerequisites, repoRoot } from '../support/harness/paths.mjs';
import { reportSuite } from '../support/harness/results.mjs';

const { values: options } = parseArgs({ options: { grep: { type: 'string' } } });
const started = Date.now();
const scenarioDir = join(repoRoot, 'test', 'e2e');
const DEFAULT_TIMEOUT_MS = 90_000;

try {
  assertPrerequisites(['codeServer', 'chromium', 'vsix', 'cli', 'fixture']);
} catch (error) {
  console.error(`[e2e] ${error.message}`);
  reportSuite('e2e', { passed: 0, failed: 1, durationMs: Date.now() - started, note: 'prerequisites missing' });
  process.exit(1);
}

const scenarios = [];
for (const name of (await readdir(scenarioDir)).filter((file) => file.endsWith('.e2e.mjs')).sort()) {
  const module = await import(pathToFileURL(join(scenarioDir, name)).href);
  if (!Array.isArray(module.default)) throw new Error(`${name} must default-export an array of scenarios`);
  for (const scenario of module.default) scenarios.push({ file: name, ...scenario });
}
const selected = options.grep ? scenarios.filter((s) => s.name.includes(options.grep)) : scenarios;
if (selected.length === 0) {
  console.error(`[e2e] no scenarios${options.grep ? ` match --grep '${options.grep}'` : ` in ${scenarioDir}`}`);
  reportSuite('e2e', { passed: 0, failed: 1, durationMs: Date.now() - started, note: 'no scenarios' });
  process.exit(1);
}

// Screenshots and failure logs describe this run only.
await rm(screenshotsDir, { recursive: true, force: true });
await rm(e2eArtifactsDir, { recursive: true, force: true });

let harness;
let interrupted = false;
onInterrupt(() => {
  interrupted = true;
  return harness?.dispose();
});

const results = [];
try {
  harness = await E2eHarness.create();
  console.log(`[e2e] ${selected.length} scenario(s), extension from out/truce.vsix`);
  for (const scenario of selected) {
    if (interrupted) break;
    const scenarioStart = Date.now();
    const label = scenario.name;
    let session;
    let error;
    let timer;
    try {
      session = await harness.startSession(label, { settings: scenario.settings, env: scenario.env });
      const timeoutMs = scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      await Promise.race([
        scenario.run(session),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
        }),
      ]);
    } catch (caught) {
      error = caught;
    } finally {
      clearTimeout(timer);
    }
    await session?.close({ keepArtifacts: Boolean(error), reason: error?.stack ?? String(error) });
    const seconds = ((Date.now() - scenarioStart) / 1000).toFixed(1);
    if (error) {
      console.log(`  ✖ ${scenario.name} (${scenario.file}, ${seconds} s)\n      ${String(error?.stack ?? error).split('\n').join('\n      ')}`);
    } else {
      console.log(`  ✔ ${scenario.name} (${seconds} s)`);
    }
    results.push({ name: scenario.name, ok: !error });
  }
} catch (error) {
  console.error(`[e2e] the harness failed: ${error?.stack ?? error}`);
  results.push({ name: 'harness', ok: false });
} finally {
  await harness?.dispose();
}

const failed = results.filter((r) => !r.ok).length;
reportSuite('e2e', { passed: results.length - failed, failed, durationMs: Date.now() - started });
if (!failed) console.log(`[e2e] screenshots in ${screenshotsDir}`);
process.exit(failed ? 1 : 0);
