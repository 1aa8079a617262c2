import { strict as assert } from 'node:assert';
import { allUnits, locateUnit, parsePromptDocument } from '../../../src/core/units';

describe('re-anchoring units after edits', () => {
  const before = parsePromptDocument('## Rules\n- Cite every source you use.\n- Keep answers under 200 words.\n- Never invent numbers.\n', { uri: 'a.md' });
  const [cite, keep, never] = allUnits(before);
  const ref = (u: typeof cite) => ({ id: u.id, agentId: u.agentId, text: u.text, sectionPath: u.sectionPath, range: u.range });

  it('answers "unchanged" for an untouched unit', () => {
    assert.equal(locateUnit(before, ref(keep)).status, 'unchanged');
  });

  it('follows a unit that moved because text was inserted above it', () => {
    const after = parsePromptDocument('Intro.\n\n## Rules\n- A new rule.\n- Cite every source you use.\n- Keep answers under 200 words.\n- Never invent numbers.\n', { uri: 'a.md' });
    const loc = locateUnit(after, ref(never));
    assert.equal(loc.status, 'moved');
    assert.equal(loc.unit?.text, 'Never invent numbers.');
    assert.equal(loc.unit?.id, never.id);
  });

  it('finds an edited unit by similarity and position, and says it changed', () => {
    const after = parsePromptDocument('## Rules\n- Cite every source you use.\n- Keep answers under 150 words.\n- Never invent numbers.\n', { uri: 'a.md' });
    const loc = locateUnit(after, ref(keep));
    assert.equal(loc.status, 'changed');
    assert.equal(loc.unit?.text, 'Keep answers under 150 words.');
    assert.ok(loc.similarity > 0.5 && loc.similarity < 1);
  });

  it('says "gone" when the rule was deleted or rewritten beyond recognition', () => {
    const after = parsePromptDocument('## Rules\n- Keep answers under 200 words.\n- Use a table for comparisons.\n', { uri: 'a.md' });
    assert.equal(locateUnit(after, ref(cite)).status, 'gone');
    assert.equal(locateUnit(after, ref(never)).status, 'gone');
  });
});
