// The module VS Code loads as `extensionTestsPath`: it runs every bundled *.test.js beside it with
// mocha inside the extension host, where `vscode` is the real API. The returned promise settles
// when mocha is done; VS Code turns that into the exit code it reports to the runner
// (codeAutomationExit in the browser, the process exit code on the desktop).
//
// Two variables, set by the runners on the process that starts the extension host (which
// inherits them), connect this file to them:
//   TRUCE_INHOST_RESULT_FILE     where to write {passed, failed, pending, durationMs} as JSON
//   TRUCE_REPORTER_LINE_PREFIX   a mark in front of every reporter line: in code-server the
//                                extension host's console reaches the runner mixed with the
//                                workbench's own log lines, and this is how it picks them out
//   TRUCE_INHOST_GREP            optional: run only the tests whose full title matches this
//                                regular expression (the runners' --grep)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

interface SuiteResult {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
}

const linePrefix = process.env.TRUCE_REPORTER_LINE_PREFIX ?? '';

function writeResult(result: SuiteResult): void {
  const file = process.env.TRUCE_INHOST_RESULT_FILE;
  if (file) fs.writeFileSync(file, `${JSON.stringify(result)}\n`);
}

function listTestFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listTestFiles(full));
    else if (entry.name.endsWith('.test.js')) files.push(full);
  }
  return files.sort();
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: 'spec',
    // The extension host's console is not a terminal; colour codes would only clutter the log.
    color: false,
    // Generous: a test here waits on the editor, which a loaded machine (CI on 2 cores) slows
    // several-fold; how fast things are is the benchmarks' business, not a test's.
    timeout: 60_000,
    // A slow test here is one that waits on the editor; mocha's default 75 ms would flag them all.
    slow: 2_000,
  });
  // Test authors may write describe/it or suite/test: binding the second interface as well makes
  // both sets of globals available to every file.
  mocha.ui('tdd');
  // One pre-formatted string per line: the browser's console forwarding does not apply mocha's
  // printf-style placeholders.
  Mocha.reporters.Base.consoleLog = (...data: unknown[]) => console.log(linePrefix + format(...data));

  const grep = process.env.TRUCE_INHOST_GREP;
  if (grep) mocha.grep(new RegExp(grep));

  const files = listTestFiles(__dirname);
  for (const file of files) mocha.addFile(file);

  return new Promise((resolve, reject) => {
    const started = Date.now();
    const fail = (error: Error) => {
      console.error(`${linePrefix}${error.stack ?? error.message}`);
      writeResult({ passed: 0, failed: 1, pending: 0, durationMs: Date.now() - started });
      reject(error);
    };
    if (files.length === 0) {
      fail(new Error(`no *.test.js files under ${__dirname}: the in-host suite ran nothing`));
      return;
    }
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, pending = 0 } = runner.stats ?? {};
        writeResult({ passed: passes, failed: failures, pending, durationMs: Date.now() - started });
        if (failures > 0) reject(new Error(`${failures} in-host test(s) failed`));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading (a bad import, a top-level error) lands here.
      fail(new Error(`the in-host suite failed to load: ${error instanceof Error ? error.stack : String(error)}`));
    }
  });
}
