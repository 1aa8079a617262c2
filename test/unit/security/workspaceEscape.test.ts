/**
 * Prompt, task and ledger paths cannot lead out of the workspace: not with "..", not as absolute
 * paths, and not through a symbolic link inside the workspace that points elsewhere.
 */
import { strict as assert } from 'node:assert';
import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/config';
import { applySuggestionToDisk, planSuggestionOnDisk, readLedger, revertEdit } from '../../../src/core/optimize/ledger';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import type { Suggestion } from '../../../src/core/credit/types';
import type { UnitEdit } from '../../../src/core/units';
import { OutsideWorkspaceError, resolveInsideWorkspace, workspaceEscape } from '../../../src/core/workspacePath';
import { tempDir } from '../llm/helpers';
import { EXAMPLE_AGENTS, EXAMPLE_DIR } from '../optimize/fixtures';

const QUOTE = 'Quote the sentence you disagree with before you explain what is wrong with it.';
const EDIT: UnitEdit = { op: 'MODIFY', agentId: 'skeptic', targetUnitId: 'skeptic.37c04a2959', oldText: QUOTE, newText: 'Quote the exact sentence you dispute, then explain the flaw.' };

function suggestionFor(file: string): Suggestion {
  return { id: suggestionId(EDIT, file), edit: EDIT, file, rationale: 'r', evidence: [{ taskId: 't', stepIds: ['s'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };
}

describe('paths stay inside the workspace', () => {
  let root: { path: string; remove: () => void };
  let outside: { path: string; remove: () => void };
  let ws: string;
  beforeEach(() => {
    root = tempDir('escape');
    outside = tempDir('outside');
    ws = join(root.path, 'ws');
    cpSync(EXAMPLE_DIR, ws, { recursive: true });
    // A prompt file outside the workspace with the same content as the example's agents.yaml.
    cpSync(join(EXAMPLE_DIR, 'agents.yaml'), join(outside.path, 'agents.yaml'));
    symlinkSync(join(outside.path, 'agents.yaml'), join(ws, 'linked.yaml'));
    symlinkSync(outside.path, join(ws, 'linked-dir'));
    mkdirSync(join(ws, 'inner'));
    symlinkSync(join(ws, 'agents.yaml'), join(ws, 'inner', 'same.yaml'));
  });
  afterEach(() => {
    root.remove();
    outside.remove();
  });

  it('names why a path escapes, and accepts paths (and links) that stay inside', () => {
    assert.match(workspaceEscape(ws, '../secrets.md') ?? '', /\.\./);
    assert.match(workspaceEscape(ws, 'prompts/../../x.md') ?? '', /\.\./);
    assert.match(workspaceEscape(ws, '/etc/passwd') ?? '', /absolute/);
    assert.match(workspaceEscape(ws, 'C:\\prompts\\a.md') ?? '', /absolute/);
    assert.match(workspaceEscape(ws, 'linked.yaml') ?? '', /symbolic link/);
    // A file that does not exist yet below a linked folder still escapes through the link.
    assert.match(workspaceEscape(ws, 'linked-dir/new/file.md') ?? '', /symbolic link/);
    assert.equal(workspaceEscape(ws, 'agents.yaml'), undefined);
    assert.equal(workspaceEscape(ws, 'prompts/not-yet-written.md'), undefined);
    assert.equal(workspaceEscape(ws, 'inner/same.yaml'), undefined, 'a link to a file inside the workspace is fine');
    assert.equal(workspaceEscape(ws, '..notes.md'), undefined, 'a name that merely starts with two dots is inside');
    assert.throws(() => resolveInsideWorkspace(ws, 'linked.yaml'), (e: unknown) => e instanceof OutsideWorkspaceError && /linked\.yaml/.test(e.message));
    assert.equal(resolveInsideWorkspace(ws, 'prompts\\proposer.md'), join(ws, 'prompts', 'proposer.md'));
  });

  it('truce.yaml: a prompt file that links out of the workspace is an error on its line', () => {
    const yaml = readFileSync(join(ws, 'truce.yaml'), 'utf8').replace('prompt: agents.yaml\n    section: skeptic', 'prompt: linked.yaml\n    section: skeptic');
    assert.ok(yaml.includes('prompt: linked.yaml'));
    const withoutCheck = parseConfig(yaml, { workspaceRoot: ws });
    assert.ok(withoutCheck.ok, 'lexically the path is inside');
    const checked = parseConfig(yaml, { workspaceRoot: ws, escapes: workspaceEscape });
    assert.ok(!checked.ok);
    const d = checked.diagnostics.find((x) => x.path === 'agents.1.prompt');
    assert.ok(d, JSON.stringify(checked.diagnostics));
    assert.equal(d.severity, 'error');
    assert.match(d.message, /outside the workspace: it leads out through a symbolic link/);
    assert.equal(yaml.split('\n')[d.line]?.includes('linked.yaml'), true);
  });

  it('apply refuses a suggestion for a file outside (by "..", or by a link) and touches nothing', async () => {
    const outsideBefore = readFileSync(join(outside.path, 'agents.yaml'));
    for (const file of ['linked.yaml', '../outside.yaml', join(outside.path, 'agents.yaml')]) {
      const plan = await planSuggestionOnDisk(ws, { agents: [{ ...EXAMPLE_AGENTS[1], prompt: file }] as never }, suggestionFor(file));
      assert.ok(!plan.ok && /outside|absolute|symbolic link|\.\./.test(plan.reason), `plan for ${file}: ${JSON.stringify(plan)}`);
      const applied = await applySuggestionToDisk(ws, { agents: [{ ...EXAMPLE_AGENTS[1], prompt: file }] as never }, suggestionFor(file));
      assert.ok(!applied.ok && applied.status === 'refused', `apply for ${file}: ${JSON.stringify(applied)}`);
    }
    assert.ok(readFileSync(join(outside.path, 'agents.yaml')).equals(outsideBefore));
    assert.equal((await readLedger(ws)).length, 0);
  });

  it('revert refuses a ledger entry whose file leads outside, and leaves that file alone', async () => {
    const applied = await applySuggestionToDisk(ws, { agents: EXAMPLE_AGENTS }, suggestionFor('agents.yaml'));
    assert.ok(applied.ok);
    // Someone hand-edits the ledger (or copies one in) so that the entry points at the linked file,
    // whose bytes match the entry's "after" hash.
    writeFileSync(join(outside.path, 'agents.yaml'), readFileSync(join(ws, 'agents.yaml')));
    const ledgerPath = join(ws, '.truce', 'ledger.jsonl');
    const entry = { ...JSON.parse(readFileSync(ledgerPath, 'utf8').trim()), editId: 'e-aaaaaaaaaaaa', file: 'linked.yaml' };
    appendFileSync(ledgerPath, `${JSON.stringify(entry)}\n`);
    const outsideBefore = readFileSync(join(outside.path, 'agents.yaml'));
    const r = await revertEdit(ws, 'e-aaaaaaaaaaaa');
    assert.ok(!r.ok && r.status === 'refused' && /not a file of this workspace/.test(r.reason), JSON.stringify(r));
    assert.ok(readFileSync(join(outside.path, 'agents.yaml')).equals(outsideBefore));
  });
});
