import { strict as assert } from 'node:assert';
import { initialBcdState, type BcdMethod, type BcdState } from '../../../src/core/credit/bcd';
import { resolveMethod } from '../../../src/core/credit/resolveMethod';
import { methodRegistry } from '../../../src/core/methods';

describe('credit methods on resume', () => {
  const carried: BcdState = { ...initialBcdState(), iteration: 3, lastPhase: 'A', rounds: { '1': { aggregator: 'aggregator', ema: 0.2, failures: 4 } } };

  it('BCD starts from the state a stored round published', () => {
    const method = resolveMethod('bcd', methodRegistry(), { state: JSON.parse(JSON.stringify(carried)) }) as BcdMethod;
    assert.deepEqual(method.state, carried);
  });

  it('BCD starts afresh without a state, or from one it cannot read', () => {
    assert.deepEqual((resolveMethod('bcd', methodRegistry()) as BcdMethod).state, initialBcdState());
    assert.deepEqual((resolveMethod('bcd', methodRegistry(), { state: { version: 99 } }) as BcdMethod).state, initialBcdState());
  });
});
