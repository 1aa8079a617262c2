import { strict as assert } from 'node:assert';
import { buildRunView, suggestionLabel, suggestionUnitId } from '../../../src/core/editor/runView';
import type { Suggestion } from '../../../src/core/credit/types';

const signal = (ref: string, taskId: string, score: number, evidence = ['s1']) => ({ scope: 'unit', ref, taskId, score, text: `${ref} in ${taskId}`, evidence, method: 'truce' });
const suggestion = (id: string, extra: Partial<Suggestion> = {}): Record<string, unknown> => ({
  id,
  file: 'prompts/planner.prompt.md',
  edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: 'planner.a', oldText: 'old', newText: 'new' },
  rationale: 'why',
  evidence: [{ taskId: 't1', stepIds: ['s1'] }],
  support: 0.5,
  tasks: ['t1'],
  credit: -0.4,
  method: 'truce',
  status: 'proposed',
  ...extra,
});
const none = { appliedSuggestionIds: new Set<string>(), isRejected: () => false };

describe('run view', () => {
  it('averages per-task means and counts blamed and credited tasks out of the run', () => {
    const view = buildRunView({
      runId: 'r',
      kind: 'plain',
      taskIds: ['t1', 't2', 't3', 't4', 't5'],
      // t1 has two signals: its mean (-0.6) counts once, like every other task's.
      signals: [signal('u', 't1', -0.8), signal('u', 't1', -0.4), signal('u', 't2', -0.2), signal('u', 't3', 0.4), { taskId: 't1', graph: {} }],
      suggestions: [],
      ...none,
    });
    const credit = view.credit.get('u');
    assert.ok(credit);
    assert.equal(credit.blamedTasks, 2);
    assert.equal(credit.creditedTasks, 1);
    assert.equal(credit.totalTasks, 5);
    assert.ok(Math.abs(credit.meanScore - (-0.6 - 0.2 + 0.4) / 3) < 1e-12);
    assert.equal(credit.evidence.length, 4);
  });

  it('takes the task count from the signals when the run does not list its tasks', () => {
    const view = buildRunView({ runId: 'r', kind: 'optimize', signals: [signal('u', 't1', 0.5), { scope: 'agent', ref: 'planner', taskId: 't2', score: 0, text: '', evidence: [], method: 'truce' }], suggestions: [], ...none });
    assert.equal(view.credit.get('u')?.totalTasks, 2);
    assert.equal(view.credit.get('planner'), undefined, 'agent-scope signals are not unit credit');
  });

  it('keeps open suggestions by support and drops applied, rejected, closed and incomplete ones', () => {
    const view = buildRunView({
      runId: 'r',
      kind: 'optimize',
      signals: [],
      suggestions: [
        suggestion('low', { support: 0.2 }),
        suggestion('high', { support: 0.9, status: 'accepted' }),
        suggestion('applied'),
        suggestion('declined'),
        suggestion('closed', { status: 'rejected' }),
        { id: 'partial', edit: { op: 'ADD', agentId: 'x' } },
      ],
      appliedSuggestionIds: new Set(['applied']),
      isRejected: (s) => s.id === 'declined',
    });
    assert.deepEqual(view.pending.map((s) => s.id), ['high', 'low']);
    assert.equal(view.problems.length, 1);
    assert.match(view.problems[0] ?? '', /partial.*file/);
  });

  it('places an ADD on the rule it follows and labels edits by their text', () => {
    const add = suggestion('a', { edit: { op: 'ADD', agentId: 'planner', anchorUnitId: 'planner.b', newText: 'Cite every source.' } }) as unknown as Suggestion;
    assert.equal(suggestionUnitId(add), 'planner.b');
    assert.equal(suggestionLabel(add), 'ADD rule "Cite every source."');
    assert.equal(suggestionLabel(suggestion('m') as unknown as Suggestion), 'MODIFY rule "old"');
  });
});
