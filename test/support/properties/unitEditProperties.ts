/**
 * The properties of unit edits, shared by the fast slice in test/unit/units/unitEdits.property.test.ts
 * and the 10k-case run of bench/hardening/editProperties.ts:
 *
 *  - bytesOutsideTarget: an edit planned on a random document changes only the bytes of its target
 *    (the changed span lies inside the target's construct, or right after it for ADD), and the
 *    re-parsed rules are exactly the expected ones; CRLF files stay CRLF.
 *  - staleNeverApplied: a MODIFY/DELETE suggestion whose target rule was reworded after it was made
 *    is reported stale by the product's applySuggestions and changes nothing. When the file holds
 *    an identical copy of the target (the same rule twice in a section), that copy is the same rule
 *    by the product's ids (text and section, repeats told apart by order) and the suggestion may
 *    apply to it; the reworded rule must then come through untouched.
 *  - revertByteIdentical: applying a suggestion to a file on disk through the edit ledger and
 *    reverting it restores the exact previous bytes.
 *
 * Each check throws (an assertion) when its property fails; callers run them with fast-check.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { applySuggestions } from '../../../src/core/optimize/applySuggestions';
import { applySuggestionToDisk, revertEdit } from '../../../src/core/optimize/ledger';
import { suggestionId } from '../../../src/core/optimize/suggestionId';
import type { Suggestion } from '../../../src/core/credit/types';
import { allUnits, normalizeRuleText, parsePromptDocument, planUnitEdit, type PromptDocument, type UnitEdit } from '../../../src/core/units';

const word = fc.constantFrom('cite', 'sources', 'be', 'brief', 'never', 'guess', 'answer', 'in', 'English', 'check', 'facts', '😀', '規則', 'use', '{{topic}}', 'twice', 'JSON');
// Every rule has at least one plain word: text made only of variables and emoji is not a rule.
const verb = fc.constantFrom('Cite', 'Be', 'Never', 'Answer', 'Check', 'Use', 'Prefer');
export const ruleText = fc.tuple(verb, fc.array(word, { minLength: 1, maxLength: 6 })).map(([v, ws]) => `${v} ${ws.join(' ')}.`);
export const opArb = fc.constantFrom('ADD' as const, 'MODIFY' as const, 'DELETE' as const);
export type Op = 'ADD' | 'MODIFY' | 'DELETE';

const eolArb = fc.constantFrom('\n', '\r\n');

/** A Markdown prompt: optional heading sections, each a bullet or numbered list, sometimes a paragraph. */
export const markdownDoc = fc
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

/** A multi-agent YAML prompt file with plain, double- or single-quoted rules. */
export const yamlDoc = fc
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

function pickEdit(doc: PromptDocument, pick: number, op: Op, newText: string): UnitEdit {
  const units = allUnits(doc);
  const target = units[pick % units.length];
  if (op === 'ADD') return { op, agentId: target.agentId, anchorUnitId: target.id, newText };
  return { op, agentId: target.agentId, targetUnitId: target.id, oldText: target.text, newText };
}

/** Property 1 (see the header). `uri` decides the format: `*.md` or `*.yaml`. */
export function bytesOutsideTarget(text: string, uri: string, pick: number, op: Op, newText: string): void {
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

/** The one agent of a Markdown file `p.md`, as truce.yaml would declare it. */
const MD_AGENTS = [{ id: 'p', kind: 'role' as const, prompt: 'p.md' }];

function suggestionFor(edit: UnitEdit): Suggestion {
  return { id: suggestionId(edit, 'p.md'), edit, file: 'p.md', rationale: 'property', evidence: [{ taskId: 't', stepIds: ['s'] }], support: 1, tasks: ['t'], credit: -0.5, method: 'truce', status: 'proposed' };
}

/** Property 2 (see the header), on a Markdown document. */
export async function staleNeverApplied(text: string, pick: number, op: 'MODIFY' | 'DELETE', newText: string, reworded: string): Promise<void> {
  const doc = parsePromptDocument(text, { uri: 'p.md', defaultAgentId: 'p' });
  const units = allUnits(doc);
  fc.pre(units.length > 0);
  const target = units[pick % units.length];
  // The rewording must really change the rule (by more than case, spacing or punctuation) and not
  // turn it into another rule of the file.
  fc.pre(normalizeRuleText(reworded) !== normalizeRuleText(target.text) && !units.some((u) => normalizeRuleText(u.text) === normalizeRuleText(reworded)));
  const edit: UnitEdit = { op, agentId: 'p', targetUnitId: target.id, oldText: target.text, ...(op === 'MODIFY' ? { newText } : {}) };
  const drifted = text.slice(0, target.range.start.offset) + reworded + text.slice(target.range.end.offset);
  const { texts, results } = await applySuggestions({ agents: MD_AGENTS }, { 'p.md': drifted }, [suggestionFor(edit)]);
  const r = results[0];
  if (r?.status === 'applied') {
    // Only an identical copy of the target that is still in the file may take the edit; the
    // reworded rule itself is never touched.
    const norm = normalizeRuleText(target.text);
    const copies = allUnits(parsePromptDocument(drifted, { uri: 'p.md', defaultAgentId: 'p' })).filter((u) => normalizeRuleText(u.text) === norm);
    if (copies.length === 0) throw new Error(`a suggestion for "${target.text}" was applied to the reworded rule "${reworded}"`);
    // The line holding the rewording is still in the file as it was.
    const line = drifted.split(/\r?\n/)[target.range.start.line];
    assert.ok(texts['p.md'].split(/\r?\n/).includes(line), `the reworded rule "${reworded}" did not come through untouched`);
    const after = allUnits(parsePromptDocument(texts['p.md'], { uri: 'p.md', defaultAgentId: 'p' }));
    assert.equal(after.filter((u) => normalizeRuleText(u.text) === norm).length, copies.length - 1, 'the edit took exactly one copy of the target text');
    return;
  }
  // Stale as a rule; 'rejected' when the proposed text happens to equal the rewording. Never applied.
  assert.ok(r?.status === 'stale' || r?.status === 'rejected', JSON.stringify(r));
  assert.equal(texts['p.md'], drifted, 'a refused suggestion changes nothing');
}

/** Property 3 (see the header): `dir` is a scratch workspace the check may overwrite. */
export async function revertByteIdentical(dir: string, text: string, pick: number, op: Op, newText: string): Promise<void> {
  const doc = parsePromptDocument(text, { uri: 'p.md', defaultAgentId: 'p' });
  const units = allUnits(doc);
  fc.pre(units.length > 0);
  fc.pre(op === 'DELETE' || !units.some((u) => normalizeRuleText(u.text) === normalizeRuleText(newText)));
  const target = units[pick % units.length];
  const edit: UnitEdit = op === 'ADD' ? { op, agentId: 'p', anchorUnitId: target.id, newText } : { op, agentId: 'p', targetUnitId: target.id, oldText: target.text, ...(op === 'MODIFY' ? { newText } : {}) };
  const path = join(dir, 'p.md');
  const original = Buffer.from(text, 'utf8');
  writeFileSync(path, original);
  const applied = await applySuggestionToDisk(dir, { agents: MD_AGENTS }, suggestionFor(edit));
  if (!applied.ok) throw new Error(`apply refused (${applied.status}): ${applied.reason}\n${text}`);
  assert.ok(!readFileSync(path).equals(original), 'the edit changed the file');
  const reverted = await revertEdit(dir, applied.entry.editId);
  if (!reverted.ok) throw new Error(`revert refused: ${reverted.reason}`);
  assert.ok(readFileSync(path).equals(original), 'revert restores the exact previous bytes');
}
