/**
 * Ids across the change to sentence units (issue 20, item 7). Before it, a paragraph holding three
 * instructions was one unit, and runs stored its id in suggestions and credit. The ids pinned here
 * are the ones the parser of commit cd0c5b9 (the last before sentence units) gave the prompt below;
 * they must map to their successors, and whatever was proposed for the whole paragraph must show
 * as stale instead of landing on one sentence or vanishing.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreditSignal, Suggestion } from '../../../src/core/credit/types';
import { loadRunView } from '../../../src/core/editor/runCatalog';
import { applySuggestionToDisk } from '../../../src/core/optimize/ledger';
import { readSuggestions } from '../../../src/core/optimize/optimizeStore';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import { allUnits, locateUnit, parsePromptDocument, successorsOf, type UnitEdit } from '../../../src/core/units';
import { tempDir } from '../llm/helpers';

const PROMPT = [
  '# Review',
  '',
  'Read the whole diff before commenting. Flag every unchecked error. Keep each comment under three sentences.',
  '',
  '- Approve only when the tests pass.',
  '- Quote the line you comment on.',
  '- **Language:** TypeScript 5 on Node 20',
  '',
].join('\n');

/** As the parser before sentence units read PROMPT (agent `reviewer`, section "Review"). */
const OLD = {
  paragraph: { id: 'reviewer.a8f10b873a', text: 'Read the whole diff before commenting. Flag every unchecked error. Keep each comment under three sentences.' },
  approve: { id: 'reviewer.f38bdb80fa', text: 'Approve only when the tests pass.' },
  language: { id: 'reviewer.fbb314a16f', text: '**Language:** TypeScript 5 on Node 20' },
};
const SENTENCES = ['Read the whole diff before commenting.', 'Flag every unchecked error.', 'Keep each comment under three sentences.'];

const parse = (text = PROMPT) => parsePromptDocument(text, { uri: 'reviewer.md' });
const AGENTS = [{ id: 'reviewer', kind: 'role' as const, prompt: 'reviewer.md' }];

function suggestion(edit: UnitEdit): Suggestion {
  return { id: suggestionId(edit, 'reviewer.md'), edit, file: 'reviewer.md', rationale: 'r', evidence: [{ taskId: 't1', stepIds: ['s1'] }], support: 1, tasks: ['t1'], credit: -0.5, method: 'truce', status: 'proposed' };
}

describe('ids across the change to sentence units', () => {
  it('a unit whose text and place did not change keeps its id', () => {
    const doc = parse();
    assert.ok(allUnits(doc).some((u) => u.id === OLD.approve.id && u.text === OLD.approve.text));
  });

  it("an old paragraph id maps to the paragraph's sentence units, in order", () => {
    const doc = parse();
    const successors = successorsOf(doc, OLD.paragraph.id);
    assert.deepEqual(successors.map((u) => u.text), SENTENCES);
    assert.ok(successors.every((u) => u.kind === 'sentence' && u.formerId === OLD.paragraph.id));
    // An id that never named a block maps to nothing.
    assert.deepEqual(successorsOf(doc, 'reviewer.0000000000'), []);
  });

  it("locateUnit says 'split' for an old paragraph and 'set-aside' for old text now read as context", () => {
    const doc = parse();
    const split = locateUnit(doc, { id: OLD.paragraph.id, agentId: 'reviewer', text: OLD.paragraph.text });
    assert.equal(split.status, 'split');
    assert.deepEqual(split.status === 'split' && split.successors.map((u) => u.text), SENTENCES);
    const aside = locateUnit(doc, { id: OLD.language.id, agentId: 'reviewer', text: OLD.language.text });
    assert.equal(aside.status, 'set-aside');
    assert.equal(aside.unit?.kind, 'context');
  });

  it('a stored run made before: its suggestions show as stale with the reason, nothing is written, and its credit resolves', async () => {
    const ws = tempDir('former-ids');
    try {
      writeFileSync(join(ws.path, 'reviewer.md'), PROMPT);
      const run = join(ws.path, '.truce', 'runs', '20250101-000000-a0b1');
      mkdirSync(run, { recursive: true });
      const modify = suggestion({ op: 'MODIFY', agentId: 'reviewer', targetUnitId: OLD.paragraph.id, oldText: OLD.paragraph.text, newText: 'Read the diff, flag unchecked errors, keep comments short.' });
      const onContext = suggestion({ op: 'DELETE', agentId: 'reviewer', targetUnitId: OLD.language.id, oldText: OLD.language.text });
      const add = suggestion({ op: 'ADD', agentId: 'reviewer', anchorUnitId: OLD.paragraph.id, newText: 'Name the file of every comment.' });
      writeFileSync(join(run, 'suggestions.json'), JSON.stringify([modify, onContext, add]));
      const signal: CreditSignal = { scope: 'unit', ref: OLD.paragraph.id, taskId: 't1', score: -0.6, text: 'missed an unchecked error', evidence: ['s1'], method: 'truce' };
      writeFileSync(join(run, 'credit.jsonl'), `${JSON.stringify(signal)}\n`);

      const stored = await readSuggestions(run);
      const before = readFileSync(join(ws.path, 'reviewer.md'), 'utf8');
      const m = await applySuggestionToDisk(ws.path, { agents: AGENTS }, stored[0]);
      assert.equal(m.ok, false);
      assert.equal(!m.ok && m.status, 'stale');
      assert.match(!m.ok ? m.reason : '', /now read as 3 rules \(line 3\).*whole block/);
      const c = await applySuggestionToDisk(ws.path, { agents: AGENTS }, stored[1]);
      assert.equal(!c.ok && c.status, 'stale');
      assert.match(!c.ok ? c.reason : '', /now read as description \(context\)/);
      assert.equal(readFileSync(join(ws.path, 'reviewer.md'), 'utf8'), before, 'stale suggestions change nothing');

      // The credit stored under the old id is still read, and maps to the rules that replaced it
      // (the editor shows it on each, marked as measured on the whole paragraph).
      const { view } = await loadRunView(ws.path, { runId: '20250101-000000-a0b1', kind: 'optimize' });
      assert.equal(view.credit.get(OLD.paragraph.id)?.meanScore, -0.6);
      assert.deepEqual(successorsOf(parse(before), OLD.paragraph.id).map((u) => u.text), SENTENCES);

      // An ADD anchored on the old paragraph still goes after it: after its last sentence.
      const a = await applySuggestionToDisk(ws.path, { agents: AGENTS }, stored[2]);
      assert.equal(a.ok, true, JSON.stringify(a));
      const after = parse(readFileSync(join(ws.path, 'reviewer.md'), 'utf8'));
      const texts = allUnits(after).map((u) => u.text);
      assert.equal(texts.indexOf('Name the file of every comment.'), texts.indexOf(SENTENCES[2]) + 1, texts.join(' | '));

    } finally {
      ws.remove();
    }
  });

  it('a lock above a paragraph locks every sentence unit of it', () => {
    const doc = parse(PROMPT.replace('Read the whole', '<!-- truce:lock -->\nRead the whole'));
    const sentences = allUnits(doc).filter((u) => u.kind === 'sentence');
    assert.equal(sentences.length, 3);
    assert.ok(sentences.every((u) => u.locked));
    assert.ok(allUnits(doc).filter((u) => u.kind === 'bullet').every((u) => !u.locked));
  });
});
