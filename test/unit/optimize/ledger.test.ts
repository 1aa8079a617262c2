import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import { applySuggestionToDisk, planSuggestionOnDisk, promptHistory, readLedger, revertEdit } from '../../../src/core/optimize/ledger';
import { applySuggestions } from '../../../src/core/optimize/applySuggestions';
import { unifiedDiff } from '../../../src/core/optimize/unifiedDiff';
import type { Suggestion } from '../../../src/core/credit/types';
import type { UnitEdit } from '../../../src/core/units';
import { EXAMPLE_AGENTS, EXAMPLE_DIR, exampleTexts } from './fixtures';

const jsonLines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());

const QUOTE = 'Quote the sentence you disagree with before you explain what is wrong with it.';

function suggestion(edit: UnitEdit, file = 'agents.yaml'): Suggestion {
  return { id: suggestionId(edit, file), edit, file, rationale: 'r', evidence: [{ taskId: 't', stepIds: ['r1.skeptic'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };
}
const modifyQuote = suggestion({ op: 'MODIFY', agentId: 'skeptic', targetUnitId: 'skeptic.37c04a2959', oldText: QUOTE, newText: 'Quote the exact sentence you dispute, then explain the flaw.' });

describe('edit ledger', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'truce-ledger-'));
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies a suggestion atomically, records it, and reverts to byte-identical content', async () => {
    const path = join(dir, 'agents.yaml');
    const original = readFileSync(path);
    const applied = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote, 'run-1');
    assert.ok(applied.ok);
    const edited = readFileSync(path, 'utf8');
    assert.ok(edited.includes('Quote the exact sentence you dispute'));
    assert.ok(!edited.includes(QUOTE));
    assert.match(applied.diff, /^-    - Quote the sentence/m);
    const ledger = await readLedger(dir);
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0].suggestionId, modifyQuote.id);
    // The saved copies of a prompt are readable by their owner only.
    for (const blob of readdirSync(join(dir, '.truce', 'ledger', 'blobs'))) assert.equal(statSync(join(dir, '.truce', 'ledger', 'blobs', blob)).mode & 0o777, 0o600, blob);
    assert.equal(ledger[0].runId, 'run-1');

    const reverted = await revertEdit(dir, applied.entry.editId);
    assert.ok(reverted.ok);
    assert.ok(readFileSync(path).equals(original), 'exact previous bytes');
    assert.equal((await promptHistory(dir, 'skeptic')).map((e) => e.kind).join(','), 'apply,revert');
    const twice = await revertEdit(dir, applied.entry.editId);
    assert.ok(!twice.ok && /already reverted/.test(twice.reason));
  });

  it('edits a file that starts with a byte-order mark, keeping the mark and every byte the edit does not touch', async () => {
    const path = join(dir, 'agents.yaml');
    const plain = readFileSync(path);
    const withMark = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
    writeFileSync(path, withMark);
    const applied = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(applied.ok, applied.ok ? '' : applied.reason);
    const edited = readFileSync(path);
    assert.deepEqual([...edited.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'the mark stays');
    // The same edit on the file without the mark gives the same bytes after it.
    const expected = plain.toString('utf8').replace(QUOTE, 'Quote the exact sentence you dispute, then explain the flaw.');
    assert.equal(edited.subarray(3).toString('utf8'), expected);
    const reverted = await revertEdit(dir, applied.entry.editId);
    assert.ok(reverted.ok);
    assert.ok(readFileSync(path).equals(withMark), 'exact previous bytes, mark included');
  });

  it('keeps an edit saved while apply writes its copies: the file is compared again right before it is replaced', async () => {
    const path = join(dir, 'agents.yaml');
    const barrier = mkdtempSync(join(tmpdir(), 'truce-pause-'));
    process.env.TRUCE_TEST_PAUSE_DIR = barrier;
    let applying: ReturnType<typeof applySuggestionToDisk> | undefined;
    try {
      // Past the first pause (before the lock); held at the second, with the blobs written.
      writeFileSync(join(barrier, 'go.apply'), '');
      applying = applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
      const deadline = Date.now() + 20_000;
      while (!readdirSync(barrier).some((f) => f.startsWith('replace.')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(readdirSync(barrier).some((f) => f.startsWith('replace.')), 'apply reached the point before it replaces the file');
      // An editor saves the file now.
      writeFileSync(path, `${readFileSync(path, 'utf8')}# saved by hand\n`);
      const saved = readFileSync(path);
      writeFileSync(join(barrier, 'go'), '');
      const r = await applying;
      assert.ok(!r.ok && r.status === 'stale' && /the file changed; re-run suggest/.test(r.reason), JSON.stringify(r));
      assert.ok(readFileSync(path).equals(saved), 'the hand edit is kept');
      assert.equal((await readLedger(dir)).length, 0, 'no edit recorded');
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file left');
    } finally {
      // Let a held apply finish before its folders go, whatever failed above.
      writeFileSync(join(barrier, 'go'), '');
      await applying?.catch(() => undefined);
      delete process.env.TRUCE_TEST_PAUSE_DIR;
      rmSync(barrier, { recursive: true, force: true });
    }
  });

  it('settles an edit a crash left between replacing the file and recording it: recorded if it reached the file, dropped if not', async () => {
    const path = join(dir, 'agents.yaml');
    const original = readFileSync(path);
    const applied = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(applied.ok);
    // The state a kill after the rename leaves: the file edited, its line only in the pending file.
    const ledger = join(dir, '.truce', 'ledger.jsonl');
    writeFileSync(ledger, '');
    const pending = join(dir, '.truce', 'ledger.pending.json');
    writeFileSync(pending, JSON.stringify(applied.entry));
    assert.deepEqual((await readLedger(dir)).map((e) => e.editId), [applied.entry.editId], 'readers see the edit');
    const reverted = await revertEdit(dir, applied.entry.editId);
    assert.ok(reverted.ok, reverted.ok ? '' : reverted.reason);
    assert.ok(readFileSync(path).equals(original));
    assert.deepEqual(jsonLines(ledger).map((l) => JSON.parse(l).kind), ['apply', 'revert'], 'the settled line, then the revert');
    assert.ok(!existsSync(pending));
    // A line whose edit never reached the file (a kill before the rename) is dropped.
    writeFileSync(pending, JSON.stringify({ ...applied.entry, editId: 'e-000000000001' }));
    assert.equal((await readLedger(dir)).length, 2);
    const again = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(again.ok);
    assert.deepEqual(jsonLines(ledger).map((l) => JSON.parse(l).kind), ['apply', 'revert', 'apply']);
    assert.ok(!existsSync(pending));
  });

  it('refuses to revert after the file changed since, with a clear reason, and leaves the file alone', async () => {
    const applied = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(applied.ok);
    const path = join(dir, 'agents.yaml');
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n# a note added by hand\n`);
    const changed = readFileSync(path);
    const r = await revertEdit(dir, applied.entry.editId);
    assert.ok(!r.ok);
    assert.match(r.reason, /changed since the edit was applied/);
    assert.ok(readFileSync(path).equals(changed));
    const unknown = await revertEdit(dir, 'e-000000000000');
    assert.ok(!unknown.ok && /no applied edit/.test(unknown.reason));
  });

  it('never applies a stale suggestion: a target edited since is reported, the file untouched', async () => {
    const path = join(dir, 'agents.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(QUOTE, 'Quote the sentence you disagree with, word for word, before you explain the problem.'));
    const before = readFileSync(path);
    const plan = await planSuggestionOnDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(!plan.ok && plan.status === 'stale' && /edited since/.test(plan.reason));
    const r = await applySuggestionToDisk(dir, { agents: EXAMPLE_AGENTS }, modifyQuote);
    assert.ok(!r.ok);
    assert.ok(readFileSync(path).equals(before));
    assert.equal((await readLedger(dir)).length, 0);
  });
});

describe('applySuggestions on a candidate in memory', () => {
  it('applies retained edits in order, re-anchors ADDs on rules modified earlier, and marks gone targets stale', async () => {
    const texts = exampleTexts();
    const add = suggestion({ op: 'ADD', agentId: 'skeptic', anchorUnitId: 'skeptic.37c04a2959', newText: 'Name the step your objection is about.' });
    const gone = suggestion({ op: 'DELETE', agentId: 'skeptic', targetUnitId: 'skeptic.0000000000', oldText: 'A rule nobody wrote.' });
    const out = await applySuggestions({ agents: EXAMPLE_AGENTS }, texts, [modifyQuote, add, gone]);
    assert.deepEqual(out.results.map((r) => r.status), ['applied', 'applied', 'stale']);
    assert.match(out.results[2].reason ?? '', /no longer in/);
    const y = out.texts['agents.yaml'];
    assert.ok(y.indexOf('Quote the exact sentence') < y.indexOf('Name the step your objection'));
    assert.equal(texts['agents.yaml'], exampleTexts()['agents.yaml'], 'the base texts are not modified');
  });

  it('fills a missing rule text through the rewriter, and rejects when there is none', async () => {
    const bare = suggestion({ op: 'ADD', agentId: 'judge', newText: '' }, 'prompts/judge.prompty');
    const without = await applySuggestions({ agents: EXAMPLE_AGENTS }, exampleTexts(), [bare]);
    assert.equal(without.results[0].status, 'rejected');
    const withText = await applySuggestions({ agents: EXAMPLE_AGENTS }, exampleTexts(), [bare], async () => 'Check each calculation yourself.');
    assert.equal(withText.results[0].status, 'applied');
    assert.ok(withText.texts['prompts/judge.prompty'].includes('- Check each calculation yourself.'));
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with context and correct line numbers, and nothing for equal texts', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const b = 'a\nb\nc\nD\ne\nf\ng\nh\ni\n';
    const d = unifiedDiff(a, b, 'x.md', 1);
    assert.equal(d, '--- a/x.md\n+++ b/x.md\n@@ -3,3 +3,3 @@\n c\n-d\n+D\n e\n@@ -8,1 +8,2 @@\n h\n+i\n');
    assert.equal(unifiedDiff(a, a, 'x.md'), '');
  });
});
