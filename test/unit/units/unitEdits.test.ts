import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument, planUnitEdit, type PlannedEdit, type UnitEdit } from '../../../src/core/units';

function plan(text: string, uri: string, edit: (doc: ReturnType<typeof parsePromptDocument>) => UnitEdit): PlannedEdit {
  const doc = parsePromptDocument(text, { uri });
  return planUnitEdit(text, doc, edit(doc));
}

function ok(result: PlannedEdit): string {
  if (!result.ok) assert.fail(`edit refused: ${result.code}: ${result.reason}`);
  return result.text;
}

describe('unit edits', () => {
  const md = '# Rules\n\n1. First.\n2. Second.\n\n- Alpha.\n- Beta.\n';

  it('MODIFY replaces only the rule text, keeping the marker', () => {
    const out = ok(plan(md, 'a.md', (d) => ({ op: 'MODIFY', agentId: 'a', targetUnitId: d.agents[0].units[1].id, newText: 'Second, revised.' })));
    assert.equal(out, md.replace('2. Second.', '2. Second, revised.'));
  });

  it('ADD continues the numbering style and indentation of its anchor', () => {
    const out = ok(plan(md, 'a.md', (d) => ({ op: 'ADD', agentId: 'a', anchorUnitId: d.agents[0].units[1].id, newText: '- Third.' })));
    assert.equal(out, md.replace('2. Second.\n', '2. Second.\n3. Third.\n'));
    const nested = '- Group:\n    * One.\n';
    const out2 = ok(plan(nested, 'n.md', (d) => ({ op: 'ADD', agentId: 'n', anchorUnitId: d.agents[0].units[0].id, newText: 'Two.' })));
    assert.equal(out2, '- Group:\n    * One.\n    * Two.\n');
  });

  it('ADD without an anchor goes after the agent\'s last rule', () => {
    const out = ok(plan(md, 'a.md', () => ({ op: 'ADD', agentId: 'a', newText: 'Gamma.' })));
    assert.equal(out, md.replace('- Beta.\n', '- Beta.\n- Gamma.\n'));
  });

  it('DELETE removes the whole item and nothing else', () => {
    const out = ok(plan(md, 'a.md', (d) => ({ op: 'DELETE', agentId: 'a', targetUnitId: d.agents[0].units[2].id })));
    assert.equal(out, md.replace('- Alpha.\n', ''));
    const para = 'Cite your sources.\n\nBe brief.\n\nAnswer in English.\n';
    const out2 = ok(plan(para, 'p.md', (d) => ({ op: 'DELETE', agentId: 'p', targetUnitId: d.agents[0].units[1].id })));
    assert.equal(out2, 'Cite your sources.\n\nAnswer in English.\n');
  });

  it('keeps CRLF line breaks and YAML quoting', () => {
    const crlf = '- One.\r\n- Two.\r\n';
    assert.equal(ok(plan(crlf, 'c.md', (d) => ({ op: 'ADD', agentId: 'c', anchorUnitId: d.agents[0].units[0].id, newText: 'Between.' }))), '- One.\r\n- Between.\r\n- Two.\r\n');
    const yaml = 'bot:\n  rules:\n    - "Quoted rule."\n    - plain rule\n';
    assert.equal(
      ok(plan(yaml, 'b.yaml', (d) => ({ op: 'MODIFY', agentId: 'bot', targetUnitId: d.agents[0].units[0].id, newText: 'Say "hi": once.' }))),
      'bot:\n  rules:\n    - "Say \\"hi\\": once."\n    - plain rule\n',
    );
    // A plain scalar that would change meaning gets quotes.
    assert.equal(
      ok(plan(yaml, 'b.yaml', (d) => ({ op: 'ADD', agentId: 'bot', anchorUnitId: d.agents[0].units[1].id, newText: 'Format: JSON' }))),
      'bot:\n  rules:\n    - "Quoted rule."\n    - plain rule\n    - "Format: JSON"\n',
    );
  });

  it('refuses locked units, stale targets and empty text, with a reason', () => {
    const locked = '<!-- truce:lock -->\n- Keep me.\n- Free.\n';
    const r1 = plan(locked, 'l.md', (d) => ({ op: 'DELETE', agentId: 'l', targetUnitId: d.agents[0].units[0].id }));
    assert.equal(r1.ok, false);
    assert.equal(!r1.ok && r1.code, 'locked');
    assert.match(!r1.ok ? r1.reason : '', /locked/);
    const r2 = plan(md, 'a.md', (d) => ({ op: 'MODIFY', agentId: 'a', targetUnitId: d.agents[0].units[0].id, oldText: 'Something else.', newText: 'X.' }));
    assert.equal(!r2.ok && r2.code, 'stale');
    const r3 = plan(md, 'a.md', () => ({ op: 'MODIFY', agentId: 'a', targetUnitId: 'a.0000000000', newText: 'X.' }));
    assert.equal(!r3.ok && r3.code, 'stale');
    const r4 = plan(md, 'a.md', (d) => ({ op: 'ADD', agentId: 'a', anchorUnitId: d.agents[0].units[0].id, newText: '  ' }));
    assert.equal(!r4.ok && r4.code, 'invalid');
    const r5 = plan(md, 'a.md', () => ({ op: 'ADD', agentId: 'nobody', newText: 'X.' }));
    assert.equal(!r5.ok && r5.code, 'not-found');
  });

  it('refuses an edit whose re-parse would not give the expected rules', () => {
    // New text that is itself a list would turn one rule into two.
    const r = plan(md, 'a.md', (d) => ({ op: 'MODIFY', agentId: 'a', targetUnitId: d.agents[0].units[2].id, newText: 'Alpha.\n- Sneaky second rule.' }));
    assert.equal(!r.ok && r.code, 'verify-failed');
  });

  it('returns the new unit id and the re-parsed document', () => {
    const r = plan(md, 'a.md', () => ({ op: 'ADD', agentId: 'a', newText: 'Gamma.' }));
    assert.ok(r.ok);
    if (r.ok) {
      assert.equal(allUnits(r.document).find((u) => u.id === r.unitId)?.text, 'Gamma.');
    }
  });
});
