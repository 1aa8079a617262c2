/**
 * A prompt file that is a symbolic link to a file inside the workspace stays a link through apply
 * and revert: the edit lands in the file it points to, whose permission bits are kept.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, cpSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { applySuggestionToDisk, revertEdit } from '../../../src/core/optimize/ledger';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import type { Suggestion } from '../../../src/core/credit/types';
import type { UnitEdit } from '../../../src/core/units';
import { tempDir } from '../llm/helpers';
import { EXAMPLE_AGENTS, EXAMPLE_DIR } from '../optimize/fixtures';

const EDIT: UnitEdit = {
  op: 'MODIFY',
  agentId: 'skeptic',
  targetUnitId: 'skeptic.37c04a2959',
  oldText: 'Quote the sentence you disagree with before you explain what is wrong with it.',
  newText: 'Quote the exact sentence you dispute, then explain the flaw.',
};

describe('apply and revert on a symlinked prompt file', () => {
  let root: { path: string; remove: () => void };
  beforeEach(() => (root = tempDir('symlinked')));
  afterEach(() => root.remove());

  it('write through the link to its target and keep the target mode', async function () {
    if (process.platform === 'win32') this.skip();
    const ws = join(root.path, 'ws');
    cpSync(EXAMPLE_DIR, ws, { recursive: true });
    mkdirSync(join(ws, 'shared'));
    renameSync(join(ws, 'agents.yaml'), join(ws, 'shared/agents.yaml'));
    symlinkSync('shared/agents.yaml', join(ws, 'agents.yaml'));
    chmodSync(join(ws, 'shared/agents.yaml'), 0o600);
    const original = readFileSync(join(ws, 'shared/agents.yaml'));
    const suggestion: Suggestion = { id: suggestionId(EDIT, 'agents.yaml'), edit: EDIT, file: 'agents.yaml', rationale: 'r', evidence: [{ taskId: 't', stepIds: ['s'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };

    const applied = await applySuggestionToDisk(ws, { agents: EXAMPLE_AGENTS }, suggestion);
    assert.ok(applied.ok, JSON.stringify(applied));
    const check = (when: string) => {
      assert.ok(lstatSync(join(ws, 'agents.yaml')).isSymbolicLink(), `${when}: the prompt path is still a link`);
      assert.equal(statSync(join(ws, 'shared/agents.yaml')).mode & 0o777, 0o600, `${when}: the target kept its mode`);
    };
    check('after apply');
    assert.ok(readFileSync(join(ws, 'shared/agents.yaml'), 'utf8').includes(EDIT.newText ?? ''), 'the edit landed in the target');

    const reverted = await revertEdit(ws, applied.entry.editId);
    assert.ok(reverted.ok, JSON.stringify(reverted));
    check('after revert');
    assert.ok(readFileSync(join(ws, 'shared/agents.yaml')).equals(original));
  });
});
