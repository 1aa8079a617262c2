import { strict as assert } from 'node:assert';
import { planSuggestionInText, smallestReplacement } from '../../../src/core/editor/planInText';
import type { Suggestion } from '../../../src/core/credit/types';
import { applyTextEdits, parsePromptDocument } from '../../../src/core/units';

const config = { agents: [{ id: 'planner', kind: 'role' as const, prompt: 'planner.prompt.md' }] } as unknown as Parameters<typeof planSuggestionInText>[0];
const text = '# Planner\n\n## Rules\n\n- Restate the goal first.\n- Split the work into steps.\n';

function modify(oldText: string, newText: string): Suggestion {
  const doc = parsePromptDocument(text, { uri: 'planner.prompt.md', defaultAgentId: 'planner' });
  const unit = doc.agents[0]!.units.find((u) => u.text === oldText) ?? doc.agents[0]!.units[0]!;
  return { id: 's', file: 'planner.prompt.md', edit: { op: 'MODIFY', agentId: 'planner', targetUnitId: unit.id, oldText, newText }, rationale: '', evidence: [], support: 1, tasks: [], credit: 0, method: 'truce', status: 'proposed' };
}

describe('planning a suggestion in editor text', () => {
  it('gives one replacement covering only the changed rule', async () => {
    const planned = await planSuggestionInText(config, text, modify('Split the work into steps.', 'Split the work into at most five steps.'));
    assert.ok(planned.ok, planned.ok ? '' : planned.reason);
    assert.equal(applyTextEdits(text, [planned.edit]), planned.after);
    assert.ok(planned.edit.start >= text.indexOf('Split'), 'the replacement starts inside the target rule');
  });

  it('refuses a suggestion whose rule was edited since, with the reason', async () => {
    const planned = await planSuggestionInText(config, text.replace('Split the work into steps.', 'Split the job into steps.'), modify('Split the work into steps.', 'x'));
    assert.equal(planned.ok, false);
    assert.ok(!planned.ok && planned.status === 'stale' && /edited since/.test(planned.reason));
  });

  it('never splits a CRLF or a surrogate pair', () => {
    // Replacing the lone \r would leave a position between \r and \n: the whole CRLF is replaced.
    assert.deepEqual(smallestReplacement('a\r\nb', 'a\nb'), { start: 1, end: 3, newText: '\n' });
    const edit = smallestReplacement('x\u{1F600}y', 'x\u{1F601}y');
    assert.equal(edit.start, 1);
    assert.equal(edit.end, 3);
  });
});
