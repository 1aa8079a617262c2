import { strict as assert } from 'node:assert';
import { describeDropped, MAX_PAGE, parseHostMessage, parseResult, parseWebviewMessage } from '../../../src/shared/panelProtocol';

describe('panel protocol', () => {
  it('accepts the handshake, each request kind and the link messages', () => {
    const good: unknown[] = [
      { type: 'ready' },
      { type: 'request', id: 1, request: { kind: 'runs' } },
      { type: 'request', id: 2, request: { kind: 'tasks', runId: 'r', offset: 0, limit: 50, around: 'task-1' } },
      { type: 'request', id: 3, request: { kind: 'grid', runId: 'r', taskId: 't', offset: 10, limit: 100 } },
      { type: 'request', id: 4, request: { kind: 'step', runId: 'r', taskId: 't', stepId: 's' } },
      { type: 'request', id: 5, request: { kind: 'text', runId: 'r', taskId: 't', stepId: 's', part: { message: 1 }, offset: 4000, length: 16000 } },
      { type: 'request', id: 6, request: { kind: 'history', runId: 'r', offset: 0, limit: 50 } },
      { type: 'request', id: 7, request: { kind: 'graph', runId: 'r', taskId: 't' } },
      { type: 'revealUnit', runId: 'r', unitId: 'planner.0123456789' },
      { type: 'openInEditor', focus: { runId: 'r', taskId: 't' } },
    ];
    for (const message of good) assert.ok(parseWebviewMessage(message).ok, JSON.stringify(message));
  });

  it('rejects unknown types, unknown keys, missing ids, oversized pages and wrong types', () => {
    const bad: unknown[] = [
      null,
      'ready',
      { type: 'hello' },
      { type: 'ready', extra: true },
      { type: 'request', request: { kind: 'runs' } },
      { type: 'request', id: 1, request: { kind: 'tasks', runId: 'r', offset: 0, limit: MAX_PAGE + 1 } },
      { type: 'request', id: 1, request: { kind: 'tasks', runId: 'r', offset: -1, limit: 5 } },
      { type: 'request', id: 1, request: { kind: 'everything', runId: 'r' } },
      { type: 'request', id: 1, request: { kind: 'text', runId: 'r', taskId: 't', stepId: 's', part: 'input', offset: 0, length: 10 } },
      { type: 'revealUnit', runId: 'r' },
      { type: 'revealUnit', runId: 'r', unitId: 42 },
    ];
    for (const message of bad) {
      const parsed = parseWebviewMessage(message);
      assert.equal(parsed.ok, false, JSON.stringify(message));
      if (!parsed.ok) assert.ok(parsed.problem.length > 0);
    }
  });

  it('parses host pushes and both response forms, and nothing else', () => {
    assert.ok(parseHostMessage({ type: 'init', focus: null, fullView: false }).ok);
    assert.ok(parseHostMessage({ type: 'response', id: 3, ok: true, result: { anything: 1 } }).ok);
    assert.ok(parseHostMessage({ type: 'response', id: 3, ok: false, error: 'gone' }).ok);
    assert.ok(parseHostMessage({ type: 'runsChanged', runIds: [] }).ok);
    assert.equal(parseHostMessage({ type: 'response', id: 3, ok: false }).ok, false);
    assert.equal(parseHostMessage({ type: 'focus', focus: { taskId: 't' } }).ok, false);
    assert.equal(parseHostMessage({ type: 'eval', code: 'alert(1)' }).ok, false);
  });

  it('checks a result against the shape its request kind promises', () => {
    const item = { runId: 'r', kind: 'optimize', createdAt: 'x', state: 'completed', tasks: 2, method: 'gbc', val: { before: 0.2, after: 0.5 }, test: null, parent: null };
    assert.ok(parseResult('runs', { runs: [item] }).ok);
    assert.equal(parseResult('runs', { runs: [{ ...item, kind: 'mystery' }] }).ok, false);
    assert.equal(parseResult('runs', { runs: [{ runId: 'r' }] }).ok, false);
    assert.equal(parseResult('graph', { runId: 'r', taskId: 't' }).ok, false);
    assert.ok(parseResult('graph', { runId: 'r', taskId: 't', graph: null }).ok);
  });

  it('describes a dropped message briefly', () => {
    assert.equal(describeDropped({ type: 'x' }), '{"type":"x"}');
    const long = describeDropped({ blob: 'y'.repeat(1000) });
    assert.ok(long.length <= 201 && long.endsWith('…'));
  });
});
