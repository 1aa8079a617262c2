/** Issue 21 item 8: a UTF-8 byte-order mark is not text. It is read past, and edits keep it. */
import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument, planUnitEdit, type PlannedEdit } from '../../../src/core/units';

const BOM = '\uFEFF';

function ok(result: PlannedEdit): string {
  if (!result.ok) assert.fail(`edit refused: ${result.code}: ${result.reason}`);
  return result.text;
}

describe('UTF-8 byte-order mark', () => {
  it('does not turn the first heading of a Markdown prompt into a unit', () => {
    const src = `${BOM}# Reviewer\n\n- Cite every source.\n- Keep it short.\n`;
    const doc = parsePromptDocument(src, { uri: 'reviewer.md' });
    const units = allUnits(doc);
    assert.deepEqual(units.map((u) => u.text), ['Cite every source.', 'Keep it short.']);
    assert.deepEqual(units[0].sectionPath, ['Reviewer']);
    // Offsets still count the mark, so they select the text in the file as read.
    assert.equal(src.slice(units[0].range.start.offset, units[0].range.end.offset), 'Cite every source.');
  });

  it('reads front matter after the mark (agent name, Cursor rules)', () => {
    const doc = parsePromptDocument(`${BOM}---\ndescription: Scores answers\nkind: aggregator\n---\n- Score each answer.\n`, { uri: 'helper.md' });
    assert.deepEqual(doc.errors, []);
    assert.equal(doc.agents[0].kind, 'aggregator');
    assert.deepEqual(allUnits(doc).map((u) => u.text), ['Score each answer.']);
  });

  it('reads a YAML agents file and a plain-text prompt that start with the mark', () => {
    const yaml = parsePromptDocument(`${BOM}solver:\n  rules:\n    - Show your work.\n`, { uri: 'agents.yaml' });
    assert.deepEqual(yaml.errors, []);
    assert.deepEqual(yaml.agents.map((a) => [a.id, a.units.map((u) => u.text)]), [['solver', ['Show your work.']]]);
    const text = parsePromptDocument(`${BOM}Answer in one sentence.\n`, { uri: 'p.txt' });
    assert.deepEqual(allUnits(text).map((u) => u.text), ['Answer in one sentence.']);
  });

  it('keeps the mark when the first rule is modified or deleted, or a rule is added', () => {
    const src = `${BOM}- First rule.\n- Second rule.\n`;
    const doc = parsePromptDocument(src, { uri: 'p.md' });
    const [first] = doc.agents[0].units;
    const modified = ok(planUnitEdit(src, doc, { op: 'MODIFY', agentId: 'p', targetUnitId: first.id, newText: 'First rule, revised.' }));
    assert.equal(modified, `${BOM}- First rule, revised.\n- Second rule.\n`);
    const deleted = ok(planUnitEdit(src, doc, { op: 'DELETE', agentId: 'p', targetUnitId: first.id }));
    assert.equal(deleted, `${BOM}- Second rule.\n`);
    const added = ok(planUnitEdit(src, doc, { op: 'ADD', agentId: 'p', newText: 'Third rule.' }));
    assert.equal(added, `${BOM}- First rule.\n- Second rule.\n- Third rule.\n`);
    const para = `${BOM}Only rule here.\n`;
    const pdoc = parsePromptDocument(para, { uri: 'p.md' });
    const gone = ok(planUnitEdit(para, pdoc, { op: 'DELETE', agentId: 'p', targetUnitId: pdoc.agents[0].units[0].id }));
    assert.ok(gone.startsWith(BOM), 'the mark survives deleting the only rule');
  });
});
