/**
 * `<DONT_CHANGE>` … `</DONT_CHANGE>` spans (the GBC authors' protected-text markers) lock every
 * unit inside them, in every format the unit reader supports, and nothing may be added inside one.
 */
import { strict as assert } from 'node:assert';
import { checkProposal } from '../../../src/core/credit/validateProposal';
import { rewriteAsProposals } from '../../../src/core/credit/wholeBlock';
import { assemblePrompt } from '../../../src/core/mas/assemblePrompt';
import { parsePromptDocument, planUnitEdit, type PromptDocument } from '../../../src/core/units';

const lockedTexts = (doc: PromptDocument, agent = 0) => doc.agents[agent].units.filter((u) => u.locked).map((u) => u.text);
const freeTexts = (doc: PromptDocument, agent = 0) => doc.agents[agent].units.filter((u) => !u.locked).map((u) => u.text);

const MARKDOWN = [
  '# Reader',
  '',
  '## Rules',
  '',
  '- Always answer in JSON.',
  '<DONT_CHANGE>',
  '- Use only the slots attraction-area and attraction-name.',
  '- Never invent a slot.',
  '</DONT_CHANGE>',
  '',
  '- Keep answers short.',
  '',
].join('\n');

describe('protected spans (<DONT_CHANGE>)', () => {
  it('Markdown: locks the units inside, leaves the others, and does not turn the tag into a section', () => {
    const doc = parsePromptDocument(MARKDOWN, { uri: 'reader.md' });
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(lockedTexts(doc), ['Use only the slots attraction-area and attraction-name.', 'Never invent a slot.']);
    assert.deepEqual(freeTexts(doc), ['Always answer in JSON.', 'Keep answers short.']);
    const inside = doc.agents[0].units.find((u) => u.text === 'Never invent a slot.')!;
    assert.deepEqual(inside.sectionPath, ['Reader', 'Rules']);
    assert.deepEqual(inside.protectedSpan, { openLine: 5, closeLine: 8 });
    assert.equal(doc.agents[0].units.find((u) => u.text === 'Keep answers short.')!.protectedSpan, undefined);
  });

  it('unit ids do not depend on the tags: wrapping rules in a span keeps their ids', () => {
    const bare = parsePromptDocument(MARKDOWN.replace('<DONT_CHANGE>\n', '').replace('</DONT_CHANGE>\n', ''), { uri: 'reader.md' });
    const wrapped = parsePromptDocument(MARKDOWN, { uri: 'reader.md' });
    assert.deepEqual(wrapped.agents[0].units.map((u) => u.id), bare.agents[0].units.map((u) => u.id));
  });

  it('YAML: tags as comments around sequence entries, and inside a block scalar', () => {
    const src = [
      'solver:',
      '  rules:',
      '    - Show your work.',
      '    # <DONT_CHANGE>',
      '    - Answer with a single letter.',
      '    # </DONT_CHANGE>',
      '    - Be brief.',
      'aggregator:',
      '  instructions: |',
      '    - Keep the majority view.',
      '    <DONT_CHANGE>',
      '    - Note dissent.',
      '    </DONT_CHANGE>',
      '',
    ].join('\n');
    const doc = parsePromptDocument(src, { uri: 'agents.yaml' });
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(lockedTexts(doc, 0), ['Answer with a single letter.']);
    assert.deepEqual(freeTexts(doc, 0), ['Show your work.', 'Be brief.']);
    assert.deepEqual(lockedTexts(doc, 1), ['Note dissent.']);
    assert.deepEqual(freeTexts(doc, 1), ['Keep the majority view.']);
  });

  it('Prompty and plain text, including a sentence-level unit and an inline span', () => {
    const prompty = ['---', 'name: Judge', '---', 'system:', 'You judge debates.', '', '- Read both sides.', '<DONT_CHANGE>', '- Reply with "Final answer: X".', '</DONT_CHANGE>', '', 'user:', '{{question}}', ''].join('\n');
    const p = parsePromptDocument(prompty, { uri: 'judge.prompty' });
    assert.deepEqual(lockedTexts(p), ['Reply with "Final answer: X".']);
    assert.deepEqual(freeTexts(p), ['Read both sides.']);

    const text = parsePromptDocument('Be careful.\n\n<DONT_CHANGE>Always cite the source. Never guess.</DONT_CHANGE>\n\nBe brief.\n', { uri: 'plain.txt' });
    assert.deepEqual(lockedTexts(text), ['Always cite the source.', 'Never guess.']);
    assert.deepEqual(freeTexts(text), ['Be careful.', 'Be brief.']);
  });

  it('matches the tags exactly: other spellings protect nothing', () => {
    const doc = parsePromptDocument('- One.\n<dont_change>\n- Two.\n</dont_change>\n- Three.\n', { uri: 'x.md' });
    assert.deepEqual(lockedTexts(doc), []);
  });

  it('an unclosed span protects the rest of the file and says how to fix it; a stray closing tag is reported', () => {
    const open = parsePromptDocument('- One.\n<DONT_CHANGE>\n- Two.\n- Three.\n', { uri: 'x.md' });
    assert.deepEqual(lockedTexts(open), ['Two.', 'Three.']);
    assert.equal(open.errors.length, 1);
    assert.equal(open.errors[0].line, 1);
    assert.match(open.errors[0].message, /never closed.*Add <\/DONT_CHANGE>/);

    // Nothing may be appended at the end of the file either: it is inside the open span.
    const onlyRole = '<DONT_CHANGE>\nYou are a careful reviewer.\n';
    const roleDoc = parsePromptDocument(onlyRole, { uri: 'x.md' });
    const appended = planUnitEdit(onlyRole, roleDoc, { op: 'ADD', agentId: roleDoc.agents[0].id, newText: 'Quote the user.' });
    assert.equal(!appended.ok && appended.code, 'locked');

    const stray = parsePromptDocument('- One.\n</DONT_CHANGE>\n- Two.\n', { uri: 'x.md' });
    assert.deepEqual(lockedTexts(stray), []);
    assert.equal(stray.errors.length, 1);
    assert.match(stray.errors[0].message, /without an opening <DONT_CHANGE>/);
  });

  describe('edits', () => {
    const doc = () => parsePromptDocument(MARKDOWN, { uri: 'reader.md' });
    const unit = (d: PromptDocument, text: string) => d.agents[0].units.find((u) => u.text === text)!;

    it('refuses MODIFY and DELETE of a protected unit, naming the span', () => {
      const d = doc();
      for (const op of ['MODIFY', 'DELETE'] as const) {
        const r = planUnitEdit(MARKDOWN, d, { op, agentId: d.agents[0].id, targetUnitId: unit(d, 'Never invent a slot.').id, newText: 'Invent slots freely.' });
        assert.equal(r.ok, false);
        assert.equal(!r.ok && r.code, 'locked');
        assert.match(!r.ok ? r.reason : '', /inside the <DONT_CHANGE> … <\/DONT_CHANGE> span of lines 6–9/);
      }
    });

    it('refuses an ADD that would land inside the span', () => {
      const d = doc();
      const r = planUnitEdit(MARKDOWN, d, { op: 'ADD', agentId: d.agents[0].id, anchorUnitId: unit(d, 'Use only the slots attraction-area and attraction-name.').id, newText: 'Add a slot.' });
      assert.equal(!r.ok && r.code, 'locked');
      assert.match(!r.ok ? r.reason : '', /would go inside/);
    });

    it('an ADD without an anchor goes after the last rule outside any span', () => {
      const src = MARKDOWN.replace('\n- Keep answers short.\n', '');
      const d = parsePromptDocument(src, { uri: 'reader.md' });
      const r = planUnitEdit(src, d, { op: 'ADD', agentId: d.agents[0].id, newText: 'Quote the user.' });
      assert.ok(r.ok, !r.ok ? r.reason : '');
      assert.ok(r.ok && r.text.includes('- Always answer in JSON.\n- Quote the user.\n<DONT_CHANGE>'), r.ok ? r.text : '');
      const span = (t: string) => t.slice(t.indexOf('<DONT_CHANGE>'), t.indexOf('</DONT_CHANGE>'));
      assert.equal(r.ok && span(r.text), span(src));
    });

    it('the proposal check rejects edits of protected units and ADDs after them, with a reason', () => {
      const d = doc();
      const agent = d.agents[0];
      const inside = unit(d, 'Never invent a slot.').id;
      const modify = checkProposal({ op: 'MODIFY', targetUnitId: inside, newText: 'Invent slots.', rationale: 'r', evidenceStepIds: [] }, agent, new Set());
      assert.equal(modify.ok, false);
      assert.match(!modify.ok ? modify.reason : '', /inside a <DONT_CHANGE> span/);
      const add = checkProposal({ op: 'ADD', anchorUnitId: inside, newText: 'Quote the user.', rationale: 'r', evidenceStepIds: [] }, agent, new Set());
      assert.equal(add.ok, false);
      assert.match(!add.ok ? add.reason : '', /nothing may be added inside it/);
    });

    it('a whole-list rewrite keeps protected rules and anchors new rules outside the span', () => {
      const d = doc();
      const agent = d.agents[0];
      const proposals = rewriteAsProposals(agent, ['Use only the slots attraction-area and attraction-name.', 'Never invent a slot.', 'Quote the user.'], 'r', []);
      for (const p of proposals) {
        const checked = checkProposal(p, agent, new Set());
        assert.ok(checked.ok, `${p.op}: ${!checked.ok ? checked.reason : ''}`);
        const target = agent.units.find((u) => u.id === p.targetUnitId || u.id === p.anchorUnitId);
        assert.equal(target?.protectedSpan, undefined, `${p.op} touches no protected rule`);
      }
    });
  });

  it('the assembled system prompt keeps the protected text and drops the tags', () => {
    const prompt = assemblePrompt({ file: 'reader.md', text: MARKDOWN, agentId: 'reader' });
    assert.doesNotMatch(prompt, /DONT_CHANGE/);
    assert.match(prompt, /- Always answer in JSON\.\n- Use only the slots attraction-area and attraction-name\.\n- Never invent a slot\.\n\n- Keep answers short\./);
  });
});
