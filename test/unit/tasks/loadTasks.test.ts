import { strict as assert } from 'node:assert';
import { parseTasksJsonl } from '../../../src/core/tasks';

describe('parseTasksJsonl', () => {
  it('reads tasks, keeping extra fields and turning numeric ids and references into text', () => {
    const text = '\ufeff{"id":"a","input":"2+2?","reference":4,"milestones":[{"id":"m1","description":"adds"}],"tags":["x"]}\r\n\n{"id":7,"input":"hi"}\n';
    const { tasks, errors } = parseTasksJsonl(text);
    assert.deepEqual(errors, []);
    assert.deepEqual(tasks, [
      { id: 'a', input: '2+2?', reference: '4', milestones: [{ id: 'm1', description: 'adds' }], tags: ['x'] },
      { id: '7', input: 'hi' },
    ]);
  });

  it('reports each bad line with its 1-based number and keeps the good ones', () => {
    const text = [
      '{"id":"a","input":"ok"}',
      '{"id":"b","input":',
      '["not","an","object"]',
      '{"id":"c"}',
      '{"id":"","input":"x"}',
      '{"id":"a","input":"again"}',
      '{"id":"d","input":"ok","milestones":[{"id":"m"}]}',
      '{"id":"e","input":"fine"}',
    ].join('\n');
    const { tasks, errors } = parseTasksJsonl(text);
    assert.deepEqual(tasks.map((t) => t.id), ['a', 'e']);
    assert.deepEqual(errors.map((e) => e.line), [2, 3, 4, 5, 6, 7]);
    assert.match(errors[0]?.message ?? '', /^invalid JSON/);
    assert.match(errors[1]?.message ?? '', /must be a JSON object/);
    assert.equal(errors[2]?.message, 'missing "input"');
    assert.match(errors[3]?.message ?? '', /^id: must not be empty/);
    assert.equal(errors[4]?.message, 'duplicate task id "a" (first used on line 1)');
    assert.equal(errors[5]?.message, 'missing "milestones.0.description"');
  });
});
