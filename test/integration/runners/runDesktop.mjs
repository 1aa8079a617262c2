#!/usr/bin/env node
// Runs the same in-host mocha suite as runInCodeServer.mjs, but in desktop VS Code (Electron)
// through @vscode/test-electron. For a desktop with internet: test-electron downloads VS Code
// 1.100.3 into .vscode-test/ on first use (this cannot work on the offline CI machine, which
// uses code-server instead).
//
//   npm run test:desktop          (builds with --tests first)
//   node test/integration/runners/runDesktop.mjs [--version 1.100.3]
//
// On Linux without a display, run it under a virtual one: `xvfb-run -a npm run test:desktop`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { downloadAndUnzipVSCode, runTests, TestRunFailedError } from '@vscode/test-electron';
import { assertPrerequisites, cacheDir, repoRoot } from '../../support/harness/paths.mjs';
import { reportSuite } from '../../support/harness/results.mjs';
import { createRunFolder, removeRunFolder } from '../../support/harness/runFolder.mjs';

const { values: options } = parseArgs({
  // The version code-server 4.100.3 embeds, so desktop and CI test the same VS Code.
  options: { version: { type: 'string', default: '1.100.3' } },
});
const started = Date.now();

try {
  assertPrerequisites(['extensionBuild', 'inHostTests', 'fixture']);
} catch (error) {
  console.error(`[desktop] ${error.message}`);
  process.exit(1);
}
if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  console.error('[desktop] no display: run this under a virtual one, e.g. `xvfb-run -a npm run test:desktop`');
  process.exit(1);
}

const run = await createRunFolder('desktop');
const resultFile = join(run.dir, 'inhost-result.json');
let exitCode = 1;
try {
  const vscodeExecutablePath = await downloadAndUnzipVSCode({ version: options.version, cachePath: cacheDir });
  exitCode = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
    // index.ts writes its counts there (see TRUCE_INHOST_RESULT_FILE).
    extensionTestsEnv: { TRUCE_INHOST_RESULT_FILE: resultFile },
    launchArgs: [
      run.workspace,
      '--user-data-dir', run.userDataDir,
      '--extensions-dir', run.extensionsDir,
      // Only the extension under development: installed extensions would make runs differ
      // from one desktop to the next.
      '--disable-extensions',
      '--disable-telemetry',
      '--skip-release-notes',
    ],
  });
} catch (error) {
  if (error instanceof TestRunFailedError) {
    exitCode = error.code ?? 1;
  } else {
    console.error(`[desktop] could not run VS Code: ${error?.stack ?? error}`);
    console.error('[desktop] this runner needs internet on first use (it downloads VS Code); offline, use `npm run test:integration`.');
  }
}

const counts = existsSync(resultFile) ? JSON.parse(readFileSync(resultFile, 'utf8')) : undefined;
await removeRunFolder(run);
reportSuite('integration-desktop', {
  passed: counts?.passed ?? 0,
  failed: counts?.failed ?? 1,
  pending: counts?.pending ?? 0,
  durationMs: Date.now() - started,
  note: counts ? undefined : 'the suite reported no result',
});
process.exit(exitCode === 0 && counts && counts.failed === 0 ? 0 : exitCode || 1);
