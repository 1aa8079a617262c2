/**
 * Issue 20 (one rule per unit; rules vs context vs role; lead-ins; CrewAI fields; structure) and
 * issue 12 item 3 (role statements are structure, not rules), on small prompts written here in the
 * shapes real prompt files use.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { allUnits, normalizeRuleText, parsePromptDocument, planUnitEdit, type PlannedEdit, type PromptDocument } from '../../../src/core/units';

const parse = (text: string, uri = 'agent.md') => parsePromptDocument(text, { uri });
const rules = (doc: PromptDocument) => allUnits(doc).map((u) => u.text);
const setAside = (doc: PromptDocument) => doc.agents.flatMap((a) => (a.context ?? []).map((u) => [u.kind, u.text]));

function ok(result: PlannedEdit): string {
  if (!result.ok) assert.fail(`edit refused: ${result.code}: ${result.reason}`);
  return result.text;
}

describe('role statements (issue 12 item 3)', () => {
  for (const opening of [
    'You are a meticulous reviewer of pull requests.',
    'You aggregate the answers of a debate between three solvers.',
    'You analyse sales data.',
    'As the critic of this team, you are the last word on quality.',
    'Your role is the critic.',
    'Act as a senior translator.',
  ]) {
    it(`keeps "${opening}" as the role, never a unit`, () => {
      const doc = parse(`${opening}\n\n- Cite every source.\n`);
      assert.deepEqual(rules(doc), ['Cite every source.']);
      assert.deepEqual(setAside(doc), [['role', opening]]);
    });
  }

  it('keeps a duty stated after the role in the same paragraph as a rule', () => {
    const doc = parsePromptDocument('You are a multilingual assistant with a knowledge base. Your task is to answer questions based on the provided context.\n', { uri: 'rag.txt' });
    assert.deepEqual(rules(doc), ['Your task is to answer questions based on the provided context.']);
    assert.deepEqual(setAside(doc), [['role', 'You are a multilingual assistant with a knowledge base.']]);
  });

  it('reads the role statement at the top of a YAML block scalar too', () => {
    const src = 'judge:\n  instructions: |\n    You grade the answers of the solvers.\n    Give each a score from 0 to 10.\n';
    const doc = parsePromptDocument(src, { uri: 'agents.yaml' });
    assert.deepEqual(rules(doc), ['Give each a score from 0 to 10.']);
    assert.deepEqual(setAside(doc), [['role', 'You grade the answers of the solvers.']]);
  });

  it('a "You <verb> …" sentence later in a prompt says what to do: a rule', () => {
    const doc = parse('# Style\n\nYou write in short sentences and you avoid jargon.\n');
    assert.deepEqual(rules(doc), ['You write in short sentences and you avoid jargon.']);
  });
});

describe('rules vs context', () => {
  it('sets descriptive text apart as context: project facts, file lists, examples, env variables, TOC links', () => {
    const src = [
      '# Guide',
      '',
      'This repository holds the payment service and its tools.',
      '',
      '## Contents',
      '',
      '1. [Rules](#rules)',
      '2. [Layout](#layout)',
      '',
      '## Project Structure',
      '',
      '- `src/`: the service code',
      '- `docs/`: user documentation',
      '',
      '## Environment Variables',
      '',
      '- **API_TOKEN** - Token for the upstream API',
      '',
      '## Rules',
      '',
      '- Keep functions small.',
      '- Example: `payments.charge()`',
      '',
    ].join('\n');
    const doc = parse(src, 'AGENTS.md');
    assert.deepEqual(rules(doc), ['Keep functions small.']);
    assert.ok(setAside(doc).every(([kind]) => kind === 'context'));
    assert.equal(setAside(doc).length, 7);
  });

  it('persona traits in a CrewAI backstory are context; what the agent does is a rule; role is the role', () => {
    const src = [
      'editor:',
      '  role: >',
      '    Content Editor',
      '  goal: >',
      '    Polish the draft on {topic}. Keep the author\'s voice.',
      '  backstory: >',
      "    You're a careful editor with years of experience. You have an eye for rhythm.",
      '    You cut filler words and you never change the meaning.',
      '',
    ].join('\n');
    const doc = parsePromptDocument(src, { uri: 'agents.yaml' });
    assert.deepEqual(rules(doc), ['Polish the draft on {topic}.', "Keep the author's voice.", 'You cut filler words and you never change the meaning.']);
    assert.deepEqual(setAside(doc), [
      ['role', 'Content Editor'],
      ['context', "You're a careful editor with years of experience."],
      ['context', 'You have an eye for rhythm.'],
    ]);
  });

  it('reads a CrewAI task: description and expected_output instruct', () => {
    const src = 'review_task:\n  description: >\n    Review the draft. Flag every unsupported claim.\n  expected_output: >\n    A list of the flagged claims.\n  agent: editor\n';
    const doc = parsePromptDocument(src, { uri: 'tasks.yaml' });
    assert.deepEqual(rules(doc), ['Review the draft.', 'Flag every unsupported claim.', 'A list of the flagged claims.']);
  });
});

describe('one rule per unit', () => {
  it('splits a paragraph of instructions into sentence units with exact ranges', () => {
    const src = 'Before you start, read the brief. Never invent facts! Cite each source, e.g. with a link. What matters most to the user? Answer that first.\n';
    const doc = parse(src);
    const units = allUnits(doc);
    // A question elaborates the sentence before it; "e.g." ends no sentence.
    assert.deepEqual(units.map((u) => u.text), ['Before you start, read the brief.', 'Never invent facts!', 'Cite each source, e.g. with a link. What matters most to the user?', 'Answer that first.']);
    for (const u of units) assert.equal(src.slice(u.range.start.offset, u.range.end.offset), u.text);
    assert.ok(units.every((u) => u.kind === 'sentence'));
    assert.equal(new Set(units.map((u) => u.id)).size, units.length);
  });

  it('keeps ids of units whose text and place did not change', () => {
    const before = allUnits(parse('## Rules\n\n- Be brief.\n- Be kind.\n'));
    const after = allUnits(parse('## Rules\n\n- Be brief.\n- Be kind.\n\nCheck the facts. Quote the source.\n'));
    assert.deepEqual(after.slice(0, 2).map((u) => u.id), before.map((u) => u.id));
  });

  it('MODIFY, ADD and DELETE of one sentence keep the rest of the paragraph intact', () => {
    const src = '# Rules\n\nRead the brief. Check every fact. Answer in English.\n';
    const doc = parse(src);
    const [, second, third] = doc.agents[0].units;
    assert.equal(ok(planUnitEdit(src, doc, { op: 'MODIFY', agentId: 'agent', targetUnitId: second.id, newText: 'Check every figure twice' })), '# Rules\n\nRead the brief. Check every figure twice. Answer in English.\n');
    assert.equal(ok(planUnitEdit(src, doc, { op: 'DELETE', agentId: 'agent', targetUnitId: second.id })), '# Rules\n\nRead the brief. Answer in English.\n');
    assert.equal(ok(planUnitEdit(src, doc, { op: 'DELETE', agentId: 'agent', targetUnitId: third.id })), '# Rules\n\nRead the brief. Check every fact.\n');
    assert.equal(ok(planUnitEdit(src, doc, { op: 'ADD', agentId: 'agent', anchorUnitId: second.id, newText: 'Name your sources.' })), '# Rules\n\nRead the brief. Check every fact. Name your sources. Answer in English.\n');
    assert.equal(ok(planUnitEdit(src, doc, { op: 'ADD', agentId: 'agent', anchorUnitId: third.id, newText: 'Be brief.' })), '# Rules\n\nRead the brief. Check every fact. Answer in English. Be brief.\n');
  });

  it('edits of sentence units touch only their sentence and re-parse as expected (property)', () => {
    const verb = fc.constantFrom('Cite', 'Check', 'Use', 'Prefer', 'Answer', 'Never skip', 'Always quote');
    const word = fc.constantFrom('sources', 'facts', 'the', 'brief', 'English', 'tables', 'numbers', '{{topic}}');
    const sentence = fc.tuple(verb, fc.array(word, { minLength: 1, maxLength: 5 })).map(([v, ws]) => `${v} ${ws.join(' ')}.`);
    const para = fc.uniqueArray(sentence, { minLength: 2, maxLength: 5, selector: normalizeRuleText });
    const op = fc.constantFrom('ADD' as const, 'MODIFY' as const, 'DELETE' as const);
    fc.assert(
      fc.property(para, para, fc.nat(), op, sentence, fc.constantFrom(' ', '\n'), (a, b, pick, o, newText, sep) => {
        const src = `# Rules\n\n${a.join(sep)}\n\n- ${b.join(' ')}\n`;
        const doc = parse(src);
        const units = allUnits(doc);
        const before = units.map((u) => normalizeRuleText(u.text));
        fc.pre(units.length > 0 && (o === 'DELETE' || !before.includes(normalizeRuleText(newText))));
        const target = units[pick % units.length];
        const edit = o === 'ADD' ? { op: o, agentId: 'agent', anchorUnitId: target.id, newText } : { op: o, agentId: 'agent', targetUnitId: target.id, oldText: target.text, newText };
        const r = planUnitEdit(src, doc, edit);
        if (!r.ok) throw new Error(`refused ${o}: ${r.reason}\n${src}`);
        const e = r.edits[0];
        assert.ok(e.start >= Math.min(target.block.start, target.range.start.offset) && e.end <= Math.max(target.block.end, target.range.end.offset), 'the edit stays within its sentence');
        const expected = [...before];
        if (o !== 'ADD') expected.splice(pick % units.length, 1);
        if (o !== 'DELETE') expected.push(normalizeRuleText(newText));
        assert.deepEqual(allUnits(parse(r.text)).map((u) => normalizeRuleText(u.text)).sort(), expected.sort());
      }),
      { numRuns: 300, seed: 20 },
    );
  });
});

describe('lead-ins', () => {
  it('commands under a caption are rules carrying it; the caption itself is not a rule', () => {
    const src = '## Testing\n\n- Run the full test suite:\n  ```bash\n  make tests\n  # a comment\n  ```\n- Type checking:\n  ```bash\n  make typecheck\n  ```\n';
    const units = allUnits(parse(src));
    assert.deepEqual(units.map((u) => [u.kind, u.text, u.lead]), [
      ['line', 'make tests', 'Run the full test suite:'],
      ['line', 'make typecheck', 'Type checking:'],
    ]);
    for (const u of units) assert.equal(src.slice(u.range.start.offset, u.range.end.offset), u.text);
  });

  it('an instructing lead-in is a rule and its items carry it; an example block is not', () => {
    const src = [
      'When the build changes, run these in order:',
      '',
      '```bash',
      'make format',
      'make lint',
      '```',
      '',
      'Analyse the method to find sources of complexity:',
      '- Nested conditionals',
      '- Long switch chains',
      '',
      "Here's the banner:",
      '',
      '```text',
      'Generated by a bot.',
      '```',
      '',
    ].join('\n');
    const units = allUnits(parse(src));
    assert.deepEqual(units.map((u) => [u.text, u.lead]), [
      ['When the build changes, run these in order:', undefined],
      ['make format', 'When the build changes, run these in order:'],
      ['make lint', 'When the build changes, run these in order:'],
      ['Analyse the method to find sources of complexity:', undefined],
      ['Nested conditionals', 'Analyse the method to find sources of complexity:'],
      ['Long switch chains', 'Analyse the method to find sources of complexity:'],
    ]);
  });

  it('lines under a label inside a paragraph are items of their own ("Factors to consider:")', () => {
    const src = 'grader:\n  goal: >\n    Grade the dialogue on a 1-10 scale:\n    Scale:\n    1-3: Poor - hard to follow.\n    Factors to Consider:\n    Clarity: Is the exchange clear?\n    Flow: Do ideas progress naturally?\n';
    const doc = parsePromptDocument(src, { uri: 'agents.yaml' });
    assert.deepEqual(allUnits(doc).map((u) => [u.text, u.lead]), [
      ['Grade the dialogue on a 1-10 scale:', undefined],
      ['Clarity: Is the exchange clear?', 'Factors to Consider:'],
      ['Flow: Do ideas progress naturally?', 'Factors to Consider:'],
    ]);
    assert.deepEqual(setAside(doc), [['context', '1-3: Poor - hard to follow.']]);
  });
});

describe('output-format sections', () => {
  // The debate example's proposer: "3. Confidence: a number between 0 and 1." had no CodeLens.
  // Under a heading that names the reply's format, each item says what to write; a noun phrase
  // there is a rule as under "Output Format" in the hand-annotated fixtures.
  it('items under a reply-format heading are rules, labelled noun phrases included', () => {
    const src = '# Proposer\n\n## Reply format\n\n1. Answer: one line naming the option you defend.\n2. Reasons: at most three numbered reasons, each one sentence long.\n3. Confidence: a number between 0 and 1.\n';
    const doc = parse(src);
    assert.deepEqual(allUnits(doc).map((u) => [u.kind, u.text]), [
      ['numbered', 'Answer: one line naming the option you defend.'],
      ['numbered', 'Reasons: at most three numbered reasons, each one sentence long.'],
      ['numbered', 'Confidence: a number between 0 and 1.'],
    ]);
    assert.deepEqual(setAside(doc), []);
  });

  it('the same "name: what it is" item elsewhere stays a description', () => {
    for (const heading of ['Scoring', 'Formatting tools', 'Output files']) {
      const doc = parse(`## ${heading}\n\n- Confidence: a number between 0 and 1.\n`);
      assert.deepEqual(rules(doc), [], heading);
      assert.deepEqual(setAside(doc), [['context', 'Confidence: a number between 0 and 1.']], heading);
    }
  });
});

describe('structure', () => {
  it('reads bare Cursor globs as Cursor does, without a YAML error', () => {
    const doc = parse('---\ndescription: Svelte rules\nglobs: **/*.svelte, src/**/*.ts\nalwaysApply: false\n---\n- Keep components small.\n', 'svelte.mdc');
    assert.deepEqual(doc.errors, []);
    assert.deepEqual(rules(doc), ['Keep components small.']);
  });

  it('reads a VS Code custom agent (*.agent.md): its name, and its handoffs as declared edges', () => {
    const src = [
      '---',
      'name: planner',
      'description: Plans the change before code is written',
      "tools: ['search', 'fetch']",
      'model: GPT-5',
      'handoffs:',
      '  - label: Start implementation',
      '    agent: implementer',
      '    prompt: Implement the plan above.',
      '    send: false',
      '---',
      'You are a planning agent.',
      '',
      '- Never edit files.',
      '',
    ].join('\n');
    const doc = parse(src, '.github/agents/planner.agent.md');
    assert.equal(doc.agents[0].id, 'planner');
    assert.deepEqual(rules(doc), ['Never edit files.']);
    assert.deepEqual(doc.agents[0].handoffs, [{ agent: 'implementer', label: 'Start implementation', prompt: 'Implement the plan above.' }]);
  });
});
