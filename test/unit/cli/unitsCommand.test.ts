import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

describe('truce units', () => {
  const dir = mkdtempSync(join(tmpdir(), 'truce-units-'));
  const source = '# Rules\r\n- Cite {{source}}.\r\n<!-- truce:lock -->\r\n- 回答は短く。\r\n';
  writeFileSync(join(dir, 'planner.prompt.md'), source);
  writeFileSync(join(dir, 'bad.yaml'), 'a:\n  rules: [unclosed\n');
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the JSON contract with exact UTF-16 ranges', async () => {
    const r = await cli(['units', 'planner.prompt.md', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['files']);
    const [file] = out.files;
    assert.deepEqual(Object.keys(file), ['path', 'format', 'agents', 'errors']);
    assert.equal(file.path, 'planner.prompt.md');
    assert.equal(file.format, 'markdown');
    const [agent] = file.agents;
    assert.deepEqual(Object.keys(agent), ['id', 'kind', 'units']);
    assert.equal(agent.id, 'planner');
    const [cite, short] = agent.units;
    assert.deepEqual(Object.keys(cite), ['id', 'kind', 'text', 'sectionPath', 'vars', 'locked', 'range']);
    assert.deepEqual(cite.range, { start: { line: 1, character: 2, offset: 11 }, end: { line: 1, character: 18, offset: 27 } });
    assert.equal(source.slice(short.range.start.offset, short.range.end.offset), short.text);
    assert.deepEqual([cite.vars, cite.locked, short.locked], [['source'], false, true]);
  });

  it('reports parse errors as entries with lines, and exits 1', async () => {
    const r = await cli(['units', 'bad.yaml', '--json'], dir);
    assert.equal(r.code, 1);
    const [file] = JSON.parse(r.stdout).files;
    assert.ok(file.errors.length > 0);
    assert.equal(typeof file.errors[0].line, 'number');
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('exits 1 for an unreadable file and 2 for usage errors', async () => {
    const missing = await cli(['units', 'nope.md'], dir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read nope\.md/);
    assert.equal((await cli(['units'], dir)).code, 2);
    assert.equal((await cli(['units', '--jsn', 'x.md'], dir)).code, 2);
    assert.equal((await cli(['frobnicate'], dir)).code, 2);
  });

  it('prints a readable table without --json', async () => {
    const r = await cli(['units', 'planner.prompt.md'], dir);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /agent planner \[role\] — 2 units/);
    assert.match(r.stdout, /2:3\s+bullet\s+Rules │ Cite \{\{source\}\}\./);
  });
});
