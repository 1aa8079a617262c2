import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDecisions, recordRejection, rejectedBy } from '../../../src/core/editor/decisions';
import { appliedSuggestionIds, recordEditorEdit } from '../../../src/core/editor/editorLedger';
import { readLedger, revertEdit } from '../../../src/core/optimize/ledger';
import type { Suggestion } from '../../../src/core/credit/types';

const suggestion: Suggestion = {
  id: 'sug-1',
  file: 'p.md',
  edit: { op: 'MODIFY', agentId: 'p', targetUnitId: 'p.x', oldText: 'Be brief.', newText: 'Be brief and exact.' },
  rationale: 'r',
  evidence: [],
  support: 1,
  tasks: [],
  credit: -1,
  method: 'truce',
  status: 'proposed',
};

describe('editor ledger and decisions', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'truce-editor-'));
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  it('records an editor edit so that the core revert restores the exact previous text', async () => {
    const before = '- Be brief.\n';
    const after = '- Be brief and exact.\n';
    await writeFile(join(root, 'p.md'), after);
    const entry = await recordEditorEdit(root, { file: 'p.md', before, after, suggestion, runId: 'run-1' });
    assert.deepEqual(appliedSuggestionIds(await readLedger(root)), new Set(['sug-1']));
    const reverted = await revertEdit(root, entry.editId);
    assert.equal(reverted.ok, true);
    assert.equal(await readFile(join(root, 'p.md'), 'utf8'), before);
    assert.deepEqual(appliedSuggestionIds(await readLedger(root)), new Set(), 'a reverted suggestion is pending again');
  });

  it('records the bytes of a file saved with a byte-order mark, so its revert matches and keeps the mark', async () => {
    const mark = Buffer.from([0xef, 0xbb, 0xbf]);
    const before = '- Be brief.\n';
    const after = '- Be brief and exact.\n';
    // What the editor saves: the mark, then the text it shows (which has none).
    await writeFile(join(root, 'p.md'), Buffer.concat([mark, Buffer.from(after)]));
    const entry = await recordEditorEdit(root, { file: 'p.md', before, after, suggestion });
    const reverted = await revertEdit(root, entry.editId);
    assert.equal(reverted.ok, true, reverted.ok ? '' : reverted.reason);
    assert.ok((await readFile(join(root, 'p.md'))).equals(Buffer.concat([mark, Buffer.from(before)])));
  });

  it('a rejection hides the suggestion only while it targets the same text', async () => {
    await recordRejection(root, suggestion, 'run-1');
    const rejected = rejectedBy(await readDecisions(root));
    assert.equal(rejected(suggestion), true);
    assert.equal(rejected({ ...suggestion, edit: { ...suggestion.edit, oldText: 'Be brief, always.' } }), false);
  });
});
