/**
 * Bad input is an error, not an OK: `validate` fails (exit 1) when the tasks file is missing or
 * holds no task, and `units` fails when a file could not be parsed — each naming file and reason.
 */
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { tempDir } from '../llm/helpers';
import { debateWorkspace, type Workspace } from '../run/debateWorkspace';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('bad input exits 1 with file and reason', () => {
  let ws: Workspace;
  beforeEach(() => (ws = debateWorkspace('http://127.0.0.1:9/v1')));
  afterEach(() => ws.remove());

  it('validate: a missing tasks file', async () => {
    rmSync(join(ws.dir, 'tasks.jsonl'));
    const r = await cli(['validate'], ws.dir);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^tasks\.jsonl: error: the tasks file does not exist/m);
    assert.doesNotMatch(r.stdout, /OK —/);
  });

  it('validate: an empty tasks file (or one of blank lines)', async () => {
    for (const text of ['', '\n\n  \n']) {
      writeFileSync(join(ws.dir, 'tasks.jsonl'), text);
      const r = await cli(['validate'], ws.dir);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, /^tasks\.jsonl: error: the tasks file holds no tasks/m);
    }
  });

  it('units: a file that failed to parse', async () => {
    const dir = tempDir('units-exit');
    try {
      writeFileSync(join(dir.path, 'bad.yaml'), 'a:\n  rules: [unclosed\n');
      writeFileSync(join(dir.path, 'good.md'), '# Rules\n- Be brief.\n');
      const r = await cli(['units', 'good.md', 'bad.yaml'], dir.path);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^truce units: bad\.yaml:\d+:\d+: /m);
      assert.match(r.stdout, /good\.md/, 'the files that parsed are still listed');
      const ok = await cli(['units', 'good.md'], dir.path);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      dir.remove();
    }
  });

  it('a bad flag is a usage error (exit 2) in one plain line, followed by the options', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', '--limit', '-1'], /^truce run: --limit needs a value \(one that starts with "-" is written --limit=-…\)\n\nUsage: truce run/],
      [['report', 'latest', '--out'], /^truce report: --out needs a value\n\nUsage: truce report/],
      [['revert', 'e-1', '--config', 'x'], /^truce revert: unknown option --config; the options of this command are listed below\n\nUsage: truce revert/],
    ];
    for (const [args, expected] of cases) {
      const r = await cli(args, ws.dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, expected);
    }
  });
});
