import { strict as assert } from 'node:assert';
import { Accounting } from '../../../src/core/llm/accounting';
import type { LlmCallRecord } from '../../../src/core/llm/callLog';

function rec(over: Partial<LlmCallRecord>): LlmCallRecord {
  return {
    ts: '2025-01-01T00:00:00.000Z',
    requestHash: 'h',
    role: 'executor',
    baseUrl: 'http://x/v1',
    model: 'm',
    phase: 'rollout',
    purpose: 'call',
    usage: { inputTokens: 10, outputTokens: 5, estimated: false },
    costUsd: 0.01,
    latencyMs: 1,
    attempts: 1,
    cached: false,
    ...over,
  };
}

describe('llm/accounting', () => {
  it('totals per phase, agent and role; cache hits and unsent calls apart', () => {
    const acc = new Accounting();
    acc.record(rec({ agent: 'planner', attempts: 3 }));
    acc.record(rec({ agent: 'solver' }));
    acc.record(rec({ phase: 'phi', role: 'optimizer', agent: 'planner' }));
    acc.record(rec({ cached: true, attempts: 0, costUsd: 0, agent: 'planner' }));
    acc.record(rec({ attempts: 0, usage: { inputTokens: 0, outputTokens: 0, estimated: false }, costUsd: 0, error: { kind: 'budget-exceeded', message: 'x' } }));
    acc.record(rec({ attempts: 6, usage: { inputTokens: 0, outputTokens: 0, estimated: false }, costUsd: 0, error: { kind: 'server', message: 'x' } }));
    const s = acc.snapshot();
    assert.equal(s.total.calls, 4);
    assert.equal(s.total.failedCalls, 1);
    assert.equal(s.total.attempts, 11);
    assert.equal(s.total.inputTokens, 30);
    assert.equal(s.total.cachedCalls, 1);
    assert.equal(s.total.cachedInputTokens, 10);
    assert.equal(s.total.unsentCalls, 1);
    assert.ok(Math.abs(s.total.costUsd - 0.03) < 1e-12);
    assert.equal(s.byPhase['rollout']?.calls, 3);
    assert.equal(s.byPhase['phi']?.calls, 1);
    assert.equal(s.byAgent['planner']?.calls, 2);
    assert.equal(s.byAgent['planner']?.cachedCalls, 1);
    assert.equal(s.byRole.optimizer?.calls, 1);
  });
});
