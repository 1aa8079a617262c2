import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument, type PolicyUnit } from '../../../src/core/units';

const parse = (text: string, uri = 'planner.prompt.md') => parsePromptDocument(text, { uri });
const texts = (units: PolicyUnit[]) => units.map((u) => u.text);

/** Every single-line unit's range must select exactly its text in the source. */
function assertRangesExact(source: string, units: PolicyUnit[]): void {
  for (const u of units) {
    if (u.range.start.line === u.range.end.line) assert.equal(source.slice(u.range.start.offset, u.range.end.offset), u.text, `range of ${u.id}`);
  }
}

describe('Markdown policy units', () => {
  it('makes each leaf list item a unit without its marker, with section paths from headings', () => {
    const src = '# Planner\n\n## Rules\n\n- Cite sources.\n- Keep answers short.\n\n## Output\n\n1. Start with the verdict.\n2) Then the reasons.\n';
    const units = allUnits(parse(src));
    assert.deepEqual(texts(units), ['Cite sources.', 'Keep answers short.', 'Start with the verdict.', 'Then the reasons.']);
    assert.deepEqual(units.map((u) => u.kind), ['bullet', 'bullet', 'numbered', 'numbered']);
    assert.deepEqual(units[0].sectionPath, ['Planner', 'Rules']);
    assert.deepEqual(units[2].sectionPath, ['Planner', 'Output']);
    assert.equal(units[2].style.marker, '1. ');
    assert.equal(units[3].style.marker, '2) ');
    assertRangesExact(src, units);
  });

  it('uses a parent item as a section for its children instead of a unit', () => {
    const src = '- Safety:\n  - Never share keys.\n  - Refuse harmful requests.\n- Be kind.\n';
    const units = allUnits(parse(src));
    assert.deepEqual(texts(units), ['Never share keys.', 'Refuse harmful requests.', 'Be kind.']);
    assert.deepEqual(units[0].sectionPath, ['Safety']);
    assert.deepEqual(units[2].sectionPath, []);
    assert.equal(units[0].style.indent, '  ');
  });

  it('never makes units of front matter, headings or code', () => {
    const src = '---\nagent: critic\nkind: judge\n---\n# Heading\n\n```\n- not a rule\n```\n\n    - indented code\n\n- The only rule.\n';
    const doc = parse(src, 'critic.md');
    assert.deepEqual(texts(allUnits(doc)), ['The only rule.']);
    assert.equal(doc.agents[0].id, 'critic');
    assert.equal(doc.agents[0].kind, 'judge');
  });

  it('takes rule paragraphs and instructing lead-ins, but not a role opening, naming labels or bold pseudo-headings', () => {
    const src = 'You are a careful reviewer.\n\nCheck every claim against the sources.\n\n**Style:**\n\nWrite plainly.\n\nFollow these rules:\n- Be brief.\n\nRules:\n- Be kind.\n';
    const doc = parse(src);
    const units = allUnits(doc);
    // An instructing lead-in is a rule itself (issue 20); a naming label ("Rules:") is not.
    assert.deepEqual(texts(units), ['Check every claim against the sources.', 'Write plainly.', 'Follow these rules:', 'Be brief.', 'Be kind.']);
    assert.deepEqual(units[1].sectionPath, ['Style']);
    // A bold pseudo-heading lasts until the next heading; the label applies to its list only.
    assert.deepEqual(units[3].sectionPath, ['Style', 'Follow these rules']);
    assert.equal(units[3].lead, 'Follow these rules:');
    // The role statement is kept apart, as the role.
    assert.deepEqual(doc.agents[0].context?.map((u) => [u.kind, u.text]), [['role', 'You are a careful reviewer.']]);
  });

  it('skips example sections', () => {
    const units = allUnits(parse('## Rules\n- Answer in English.\n\n## Examples\n- Q: hi A: hello\n'));
    assert.deepEqual(texts(units), ['Answer in English.']);
  });

  it('turns table body rows into units', () => {
    const src = '| when | do |\n|---|---|\n| asked for code | give tests too |\n';
    const units = allUnits(parse(src));
    assert.equal(units.length, 1);
    assert.equal(units[0].kind, 'table-row');
    assert.equal(units[0].text, 'asked for code | give tests too');
    assertRangesExact(src, units);
  });

  it('records template variables and never splits a unit inside one', () => {
    const src = '- Greet {{ user.name }} and use {tone}.\n- Weigh {{ a * b }} against ${input:budget:Max spend}.\n\n{% for r in extra %}\n\n{{ r }}\n\n{% endfor %}\n';
    const units = allUnits(parse(src));
    assert.deepEqual(texts(units), ['Greet {{ user.name }} and use {tone}.', 'Weigh {{ a * b }} against ${input:budget:Max spend}.']);
    assert.deepEqual(units[0].vars, ['user.name', 'tone']);
    assert.deepEqual(units[1].vars, ['a', 'input:budget']);
    assertRangesExact(src, units);
  });

  it('reads locks from a comment on the line before', () => {
    const src = '- Free rule.\n<!-- truce:lock -->\n- Locked rule.\n- Free again.\n';
    const units = allUnits(parse(src));
    assert.deepEqual(units.map((u) => u.locked), [false, true, false]);
  });

  it('splits agents at "Agent:" headings', () => {
    const src = '# Agent: proposer\n- Propose one answer.\n\n# Agent: aggregator\n- Merge the views.\n';
    const doc = parse(src, 'team.md');
    assert.deepEqual(doc.agents.map((a) => [a.id, a.kind, a.units.length]), [['proposer', 'role', 1], ['aggregator', 'aggregator', 1]]);
    assert.equal(doc.agents[1].units[0].agentId, 'aggregator');
    assert.equal(doc.agents[1].range.start.line, 3);
  });

  it('reads XML-tagged sections: tags become sections, a lone paragraph or one-line element an xml unit', () => {
    const src = '<rules>\n- Cite every claim.\n</rules>\n\n<tone>\nStay neutral.\n</tone>\n<limit>At most 200 words.</limit>\n';
    const units = allUnits(parse(src));
    assert.deepEqual(texts(units), ['Cite every claim.', 'Stay neutral.', 'At most 200 words.']);
    assert.deepEqual(units.map((u) => u.kind), ['bullet', 'xml', 'xml']);
    assert.deepEqual(units.map((u) => u.sectionPath), [['rules'], ['tone'], ['limit']]);
    assertRangesExact(src, units);
  });

  it('gives UTF-16 offsets on CRLF files with emoji and CJK text', () => {
    const src = '# 規則\r\n\r\n- 😀 Smile first.\r\n- 回答は日本語で。\r\n';
    const units = allUnits(parse(src));
    assert.deepEqual(texts(units), ['😀 Smile first.', '回答は日本語で。']);
    assert.deepEqual(units[1].range.start, { line: 3, character: 2, offset: src.indexOf('回答') });
    assert.equal(units[0].range.end.character, 2 + '😀 Smile first.'.length);
    assertRangesExact(src, units);
  });

  it('keeps multi-line items as one unit whose text joins the lines', () => {
    const src = '- First line of the rule\n  continues here.\n- Next.\n';
    const units = allUnits(parse(src));
    assert.equal(units[0].text, 'First line of the rule\ncontinues here.');
    assert.deepEqual(units[0].range.end, { line: 1, character: 17, offset: src.indexOf('here.') + 5 });
  });

  it('reports broken front matter and still reads the body', () => {
    const doc = parse('---\nglobs: a: b\n---\n- Rule.\n', 'x.mdc');
    assert.ok(doc.errors.length >= 1);
    assert.equal(doc.errors[0].line, 1);
    assert.deepEqual(texts(allUnits(doc)), ['Rule.']);
  });

  it('does not treat `---` or `#` as structure in plain text prompts', () => {
    const doc = parsePromptDocument("'Summarise {{topic}} in a paragraph.'\n---\n# Never use headings, this is no heading\n", { uri: 'p.txt' });
    assert.equal(doc.format, 'text');
    assert.deepEqual(texts(allUnits(doc)), ["'Summarise {{topic}} in a paragraph.'", '# Never use headings, this is no heading']);
  });
});
