import { strict as assert } from 'node:assert';
import { checkProposal, structureProblem } from '../../../../src/core/credit/validateProposal';
import { rewriteAsProposals } from '../../../../src/core/credit/wholeBlock';
import { parsePromptDocument, type AgentPrompt } from '../../../../src/core/units';
import { exampleTexts } from '../../optimize/fixtures';

function proposer(): AgentPrompt {
  return parsePromptDocument(exampleTexts()['prompts/proposer.md'], { uri: 'prompts/proposer.md', defaultAgentId: 'proposer' }).agents[0];
}
const STEPS = new Set(['r1.proposer', 'r2.proposer']);
const base = { rationale: 'r', evidenceStepIds: ['r1.proposer'] };

describe('Ψ proposals never become edits unless they are valid', () => {
  const agent = proposer();
  const free = agent.units.find((u) => !u.locked && u.kind === 'bullet')!;
  // The opening role statement is set aside as the role (issue 12 item 3): not a unit Ψ can name.
  const rolePara = agent.context!.find((u) => u.kind === 'role')!;
  const locked = agent.units.find((u) => u.locked)!;

  it('accepts a MODIFY of an existing unlocked rule and records its old text', () => {
    const c = checkProposal({ ...base, op: 'MODIFY', targetUnitId: free.id, newText: '- Name your answer in the first sentence.' }, agent, STEPS);
    assert.ok(c.ok);
    assert.equal(c.edit.oldText, free.text);
    assert.equal(c.edit.newText, 'Name your answer in the first sentence.');
  });

  it('rejects ids that do not exist, for targets and anchors', () => {
    const a = checkProposal({ ...base, op: 'DELETE', targetUnitId: 'u-nope' }, agent, STEPS);
    assert.ok(!a.ok && /does not have/.test(a.reason));
    const b = checkProposal({ ...base, op: 'ADD', anchorUnitId: 'u-nope', newText: 'x y z' }, agent, STEPS);
    assert.ok(!b.ok && /does not have/.test(b.reason));
    const c = checkProposal({ ...base, op: 'MODIFY', newText: 'x' }, agent, STEPS);
    assert.ok(!c.ok && /without a targetUnitId/.test(c.reason));
  });

  it('rejects edits of locked rules', () => {
    const c = checkProposal({ ...base, op: 'DELETE', targetUnitId: locked.id }, agent, STEPS);
    assert.ok(!c.ok && /locked/.test(c.reason));
  });

  it('rejects empty text and text that touches the role or structure', () => {
    for (const newText of ['', '   ', null]) {
      const c = checkProposal({ ...base, op: 'ADD', newText }, agent, STEPS);
      assert.ok(!c.ok && /empty text/.test(c.reason));
    }
    const role = checkProposal({ ...base, op: 'MODIFY', targetUnitId: free.id, newText: 'You are a careful judge who never commits early.' }, agent, STEPS);
    assert.ok(!role.ok && /who the agent is/.test(role.reason));
    const roleTarget = checkProposal({ ...base, op: 'MODIFY', targetUnitId: rolePara.id, newText: 'Commit to one answer early.' }, agent, STEPS);
    assert.ok(!roleTarget.ok && /does not have/.test(roleTarget.reason));
    assert.match(structureProblem('## New section\n- a rule') ?? '', /heading/);
    assert.match(structureProblem('First rule.\n- second rule') ?? '', /several rules/);
    assert.match(structureProblem('system:\nbe nice') ?? '', /key or role marker/);
    assert.match(structureProblem('x'.repeat(900)) ?? '', /rewrite/);
    assert.equal(structureProblem('Quote the sentence you disagree with.'), undefined);
  });

  it('rejects an ADD of a rule the agent already has and a MODIFY that changes nothing', () => {
    const a = checkProposal({ ...base, op: 'ADD', newText: free.text }, agent, STEPS);
    assert.ok(!a.ok && /already has/.test(a.reason));
    const m = checkProposal({ ...base, op: 'MODIFY', targetUnitId: free.id, newText: free.text.toUpperCase() }, agent, STEPS);
    assert.ok(!m.ok);
  });

  it('drops evidence step ids that do not exist and reports them', () => {
    const c = checkProposal({ op: 'ADD', newText: 'Say which objection you answer.', rationale: 'r', evidenceStepIds: ['r1.proposer', 'r9.ghost'] }, agent, STEPS);
    assert.ok(c.ok);
    assert.deepEqual(c.evidence, ['r1.proposer']);
    assert.deepEqual(c.droppedEvidence, ['r9.ghost']);
  });
});

describe('no-units ablation: a whole rewritten rule list as unit edits', () => {
  const agent = proposer();
  const texts = agent.units.map((u) => u.text);

  it('keeps unchanged rules, modifies the rest in order, adds extras after their predecessor and never touches locked rules', () => {
    // The first rule is kept word for word (the role statement is no longer a unit to keep).
    const free = agent.units.filter((u) => !u.locked && u.text !== texts[0]);
    const next = [texts[0], 'A brand new first change.', 'Another new rule.', 'Third new rule.', 'Fourth new rule.', 'Fifth new rule.', 'Sixth new rule.', 'Seventh new rule.', 'Eighth new rule.'];
    const props = rewriteAsProposals(agent, next, 'why', []);
    assert.ok(props.every((p) => !agent.units.find((u) => u.id === p.targetUnitId)?.locked));
    const modifies = props.filter((p) => p.op === 'MODIFY');
    assert.equal(modifies.length, free.length);
    assert.equal(modifies[0].targetUnitId, free[0].id);
    // The kept rule anchors nothing it did not own; extras go after the last pairing.
    assert.ok(props.every((p) => p.targetUnitId !== texts[0]));
    const adds = props.filter((p) => p.op === 'ADD');
    assert.equal(modifies.length + adds.length, next.length - 1);
    assert.equal(props.filter((p) => p.op === 'DELETE').length, 0);
  });

  it('deletes old rules left over when the new list is shorter', () => {
    const props = rewriteAsProposals(agent, [texts[0]], 'why', []);
    const free = agent.units.filter((u) => !u.locked && u.text !== texts[0]);
    assert.deepEqual(props.map((p) => p.op), free.map(() => 'DELETE'));
  });
});
