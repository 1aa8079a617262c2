/**
 * The order pruning tries accepted items away in. Pruning stops at the first item it keeps, so an
 * item ordered after a real fix is never tried: the order decides which ride-alongs can be found.
 */
import { strict as assert } from 'node:assert';
import type { Suggestion } from '../../../src/core/credit/types';
import { candidateItems, pruneOrder } from '../../../src/core/optimize/candidateItems';

const suggestion = (id: string, support: number, credit: number, steps = [3], group?: string): Suggestion => ({
  id,
  edit: { op: 'ADD', agentId: 'researcher', newText: id },
  file: 'researcher.md',
  rationale: '',
  evidence: steps.map((n, i) => ({ taskId: `t${i}`, stepIds: Array.from({ length: n }, (_, j) => `s${j}`) })),
  support,
  tasks: steps.map((_, i) => `t${i}`),
  credit,
  method: 'truce',
  status: 'proposed',
  ...(group ? { group } : {}),
});

const order = (suggestions: Suggestion[]) => pruneOrder(candidateItems(suggestions)).map((i) => i.key);

describe('prune order', () => {
  it('on a support tie tries the item with the weaker credit first, whatever its id', () => {
    // Two edits of one agent, each asked for by 2 of 12 tasks: the fix every task blamed strongly,
    // the ride-along one task blamed and another praised (a mean credit of −0.27). By id alone the
    // fix would come first, be kept, and end pruning with the ride-along still in the set.
    const fix = suggestion('s-859e7e216bb2', 2 / 12, -0.7, [3, 3]);
    const rideAlong = suggestion('s-d0dd73cc01f9', 2 / 12, -0.27, [3, 3]);
    assert.deepEqual(order([fix, rideAlong]), ['s-d0dd73cc01f9', 's-859e7e216bb2']);
    assert.deepEqual(order([rideAlong, fix]), ['s-d0dd73cc01f9', 's-859e7e216bb2']);
  });

  it('reads the strength of credit, not its sign, and puts support before it', () => {
    const praised = suggestion('a', 2 / 12, 0.6);
    const blamed = suggestion('b', 2 / 12, -0.3);
    const wellSupported = suggestion('c', 5 / 12, 0.05);
    assert.deepEqual(order([wellSupported, praised, blamed]), ['b', 'a', 'c']);
  });

  it('on support and credit ties tries the item with fewer steps of evidence first', () => {
    assert.deepEqual(order([suggestion('a', 0.25, -0.7, [3, 3, 3]), suggestion('b', 0.25, -0.7, [3, 2, 3])]), ['b', 'a']);
  });

  it('takes a rewrite at its weakest member, so the whole rewrite is placed by its least-backed edit', () => {
    const items = candidateItems([suggestion('g1', 0.25, -0.7, [3], 'rw'), suggestion('g2', 0.25, -0.1, [3], 'rw'), suggestion('x', 0.25, -0.4)]);
    assert.deepEqual(items.map((i) => [i.key, i.credit]), [['rw', 0.1], ['x', 0.4]]);
    assert.deepEqual(pruneOrder(items).map((i) => i.key), ['rw', 'x']);
  });
});
