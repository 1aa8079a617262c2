/**
 * Property tests: for random prompt documents and random edits, an applied edit changes only the
 * bytes of its target (the text between the untouched prefix and suffix lies inside the target's
 * construct), and re-parsing yields exactly the rules the edit implies.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { allUnits, normalizeRuleText, parsePromptDocument, planUnitEdit, type PromptDocument, type UnitEdit } from '../../../src/core/units';

const word = fc.constantFrom('cite', 'sources', 'be', 'brief', 'never', 'guess', 'answer', 'in', 'English', 'check', 'facts', '😀', '規則', 'use', '{{topic}}', 'twice', 'JSON');
// Every rule has at least one plain word: text made only of variables and emoji is not a rule.
const verb = fc.constantFrom('Cite', 'Be', 'Never', 'Answer', 'Check', 'Use', 'Prefer');
const ruleText = fc.tuple(verb, fc.array(word, { minLength: 1, maxLength: 6 })).map(([v, ws]) => `${v} ${ws.join(' ')}.`);

const eolArb = fc.constantFrom('\n', '\r\n');

/** A Markdown prompt: optional heading sections, each a bullet or numbered list, sometimes a paragraph. */
const markdownDoc = fc
  .record({
    eol: eolArb,
    sections: fc.array(
      fc.record({
        title: fc.constantFrom('Rules', 'Style', 'Output', 'Safety'),
        ordered: fc.boolean(),
        marker: fc.constantFrom('-', '*', '+'),
        rules: fc.uniqueArray(ruleText, { minLength: 1, maxLength: 5, selector: normalizeRuleText }),
        paragraph: fc.option(ruleText, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map(({ eol, sections }) =>
    sections
      .map((s, i) => {
        const items = s.rules.map((r, n) => `${s.ordered ? `${n + 1}.` : s.marker} ${r}`).join(eol);
        return `## ${s.title} ${i}${eol}${eol}${s.paragraph ? `${s.paragraph}${eol}${eol}` : ''}${items}${eol}`;
      })
      .join(eol),
  );

const yamlDoc = fc
  .record({
    agents: fc.uniqueArray(fc.constantFrom('planner', 'solver', 'critic'), { minLength: 1, maxLength: 3 }),
    rules: fc.uniqueArray(ruleText, { minLength: 1, maxLength: 4, selector: normalizeRuleText }),
    quote: fc.constantFrom('plain', 'double', 'single'),
  })
  .map(({ agents, rules, quote }) =>
    agents
      .map((a) => {
        const q = (r: string) => (quote === 'double' ? JSON.stringify(r) : quote === 'single' ? `'${r}'` : r.includes('{') ? JSON.stringify(r) : r);
        return `${a}:\n  role: ${a}\n  rules:\n${rules.map((r) => `    - ${q(r)}`).join('\n')}\n`;
      })
      .join(''),
  );

function pickEdit(doc: PromptDocument, pick: number, op: 'ADD' | 'MODIFY' | 'DELETE', newText: string): UnitEdit {
  const units = allUnits(doc);
  const target = units[pick % units.length];
  if (op === 'ADD') return { op, agentId: target.agentId, anchorUnitId: target.id, newText };
  return { op, agentId: target.agentId, targetUnitId: target.id, oldText: target.text, newText };
}

function checkEdit(text: string, uri: string, pick: number, op: 'ADD' | 'MODIFY' | 'DELETE', newText: string): void {
  const doc = parsePromptDocument(text, { uri });
  const units = allUnits(doc);
  fc.pre(units.length > 0);
  const edit = pickEdit(doc, pick, op, newText);
  const before = units.map((u) => normalizeRuleText(u.text));
  fc.pre(op === 'DELETE' || !before.includes(normalizeRuleText(newText)));
  const result = planUnitEdit(text, doc, edit);
  if (!result.ok) throw new Error(`refused ${op}: ${result.reason}\n${text}`);
  assert.equal(result.edits.length, 1);
  const target = units[pick % units.length];
  const e = result.edits[0];
  // The change lies within the target's construct (or right after it, for ADD).
  if (op === 'ADD') assert.equal(e.start, target.block.end);
  else {
    const lineStart = text.lastIndexOf('\n', target.block.start - 1) + 1;
    assert.ok(e.start >= lineStart && e.end <= text.length, 'edit starts on the target line');
    assert.ok(e.start <= target.range.start.offset && e.end >= target.range.end.offset, 'edit covers the target');
  }
  // Bytes before and after the change are untouched.
  assert.equal(result.text.slice(0, e.start), text.slice(0, e.start));
  assert.equal(result.text.slice(e.start + e.newText.length), text.slice(e.end));
  // The re-parsed rules are exactly the expected ones.
  const expected = [...before];
  if (op !== 'ADD') expected.splice(pick % units.length, 1);
  if (op !== 'DELETE') expected.push(normalizeRuleText(newText));
  const after = allUnits(parsePromptDocument(result.text, { uri })).map((u) => normalizeRuleText(u.text));
  assert.deepEqual([...after].sort(), [...expected].sort());
  // Line breaks keep the file's style.
  if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(result.text), 'no bare LF in a CRLF file');
}

describe('unit edits (properties)', function () {
  // Hundreds of parse → edit → re-parse rounds: slower than a unit test, still seconds.
  this.timeout(60_000);
  const opArb = fc.constantFrom('ADD' as const, 'MODIFY' as const, 'DELETE' as const);

  it('Markdown: edits touch only their unit and re-parse as expected', () => {
    fc.assert(fc.property(markdownDoc, fc.nat(), opArb, ruleText, (text, pick, op, newText) => checkEdit(text, 'p.md', pick, op, newText)), { numRuns: 300, seed: 42 });
  });

  it('YAML: edits touch only their unit and re-parse as expected', () => {
    fc.assert(fc.property(yamlDoc, fc.nat(), opArb, ruleText, (text, pick, op, newText) => checkEdit(text, 'agents.yaml', pick, op, newText)), { numRuns: 300, seed: 7 });
  });
});
