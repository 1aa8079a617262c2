import { strict as assert } from 'node:assert';
import { allUnits, parsePromptDocument } from '../../../src/core/units';

describe('YAML agent files', () => {
  it('reads a map of agents; structure keys are not rules; block scalars are Markdown', () => {
    const src = [
      'solver:',
      '  role: Solver',
      '  backstory: You are good at maths.',
      '  goal: >',
      '    Solve the task step by step.',
      '  rules:',
      '    - Show your work.',
      '    - "Answer with: a letter"',
      "    - 'It''s fine to say unsure.'",
      '    # truce:lock',
      '    - Never guess.',
      'aggregator:',
      '  instructions: |',
      '    ## Merge',
      '    - Keep the majority view.',
      '    - Note dissent.',
      '',
    ].join('\n');
    const doc = parsePromptDocument(src, { uri: 'agents.yaml' });
    assert.equal(doc.format, 'yaml');
    assert.deepEqual(doc.agents.map((a) => [a.id, a.kind]), [['solver', 'role'], ['aggregator', 'aggregator']]);
    const solver = doc.agents[0].units;
    assert.deepEqual(solver.map((u) => u.text), ['Solve the task step by step.', 'Show your work.', 'Answer with: a letter', "It's fine to say unsure.", 'Never guess.']);
    assert.deepEqual(solver.map((u) => u.sectionPath), [['goal'], ['rules'], ['rules'], ['rules'], ['rules']]);
    assert.deepEqual(solver.map((u) => u.style.quote), [undefined, 'plain', 'double', 'single', 'plain']);
    assert.deepEqual(solver.map((u) => u.locked), [false, false, false, false, true]);
    // Quoted scalars: the range lies inside the quotes.
    const quoted = solver[2];
    assert.equal(src.slice(quoted.range.start.offset, quoted.range.end.offset), 'Answer with: a letter');
    const agg = doc.agents[1].units;
    assert.deepEqual(agg.map((u) => u.text), ['Keep the majority view.', 'Note dissent.']);
    assert.deepEqual(agg[0].sectionPath, ['instructions', 'Merge']);
    // Offsets map back through the block scalar's indentation.
    assert.deepEqual(agg[0].range.start, { line: 14, character: 6, offset: src.indexOf('Keep the majority') });
  });

  it('reads a list of agents and an agents: key', () => {
    const list = parsePromptDocument('- name: a\n  rules: [Be brief.]\n- id: b\n  rules:\n    - Be exact.\n', { uri: 'x.yaml' });
    assert.deepEqual(list.agents.map((a) => [a.id, a.units.map((u) => u.text)]), [['a', ['Be brief.']], ['b', ['Be exact.']]]);
    const keyed = parsePromptDocument('version: 1\nagents:\n  critic:\n    kind: judge\n    rules:\n      - Score 0 to 1.\n', { uri: 'x.yml' });
    assert.deepEqual(keyed.agents.map((a) => [a.id, a.kind]), [['critic', 'judge']]);
  });

  it('reports YAML errors with their line and never throws', () => {
    const doc = parsePromptDocument('a:\n  rules:\n    - ok\n  bad: [unclosed\n', { uri: 'x.yaml' });
    assert.ok(doc.errors.length > 0);
    assert.ok(doc.errors.every((e) => e.line >= 0 && e.message.startsWith('YAML:')));
  });
});

describe('Prompty files', () => {
  it('reads the system block as the agent prompt; user blocks and front matter are not rules', () => {
    const src = '---\nname: Helper\nmodel:\n  api: chat\n---\nsystem:\nYou are a helper.\n\n# Tone\n- Be warm with {{firstName}}.\n\nuser:\n{{question}}\n';
    const doc = parsePromptDocument(src, { uri: 'helper.prompty' });
    assert.equal(doc.format, 'prompty');
    assert.deepEqual(doc.agents.map((a) => [a.id, a.kind, a.units.length]), [['helper', 'role', 1]]);
    const [unit] = doc.agents[0].units;
    assert.equal(unit.text, 'Be warm with {{firstName}}.');
    assert.deepEqual(unit.vars, ['firstName']);
    assert.deepEqual(unit.sectionPath, ['Tone']);
  });
});

describe('unit ids', () => {
  it('are stable across unrelated edits and distinct for repeated rules', () => {
    const a = allUnits(parsePromptDocument('## R\n- Be brief.\n- Be kind.\n- Be kind.\n', { uri: 'p.md' }));
    const b = allUnits(parsePromptDocument('Read the brief first.\n\n## R\n- New first rule.\n- Be  **brief**.\n- Be kind.\n- Be kind.\n', { uri: 'p.md' }));
    assert.equal(new Set(a.map((u) => u.id)).size, 3);
    assert.equal(b.find((u) => u.text === 'Be  **brief**.')!.id, a[0].id, 'emphasis and spacing do not change the id');
    assert.deepEqual(b.slice(3).map((u) => u.id), a.slice(1).map((u) => u.id));
  });

  it('differ between agents and sections for the same text', () => {
    const doc = parsePromptDocument('# Agent: x\n## A\n- Same.\n## B\n- Same.\n# Agent: y\n## A\n- Same.\n', { uri: 'p.md' });
    assert.equal(new Set(allUnits(doc).map((u) => u.id)).size, 3);
  });
});
