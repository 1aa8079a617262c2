import { strict as assert } from 'node:assert';
import { resumeLine } from '../../../src/cli/spendGate';

describe('the resume line after a stop', () => {
  it('names the cap that stopped it: the cost cap on the command line, the call and token caps in truce.yaml', () => {
    const calls = 'LLM budget exhausted: this call needs ~1 calls but 50 are spent and 0 are reserved by calls in flight, against a limit of 50. Raise budget.maxCalls in truce.yaml or plan a smaller run.';
    assert.equal(resumeLine('truce run', 'R1', calls), 'Resume with: truce run --resume R1 (first raise budget.maxCalls in truce.yaml)');
    const cost = 'LLM budget exhausted: … against a limit of $0.5000. Raise budget.maxCost in truce.yaml (or --max-usd) or plan a smaller run.';
    assert.equal(resumeLine('truce optimize', 'R2', cost), 'Resume with: truce optimize --resume R2 --max-usd <a larger cap>');
    assert.equal(resumeLine('truce run', 'R3', '… Raise budget.maxTokens in truce.yaml …'), 'Resume with: truce run --resume R3 (first raise budget.maxTokens in truce.yaml)');
    // A budget stop whose reason names no cap: the cost cap is the one the command line can raise.
    assert.equal(resumeLine('truce run', 'R4', 'the budget ran out during a rollout'), 'Resume with: truce run --resume R4 --max-usd <a larger cap>');
    // Not a budget stop (cancelled, interrupted): only the resume.
    assert.equal(resumeLine('truce run --config t.yaml', 'R5'), 'Resume with: truce run --config t.yaml --resume R5');
  });
});
