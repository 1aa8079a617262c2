import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { selectTasks, splitSizes, splitTasks } from '../../../src/core/tasks';

const tasks = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${String(i).padStart(3, '0')}` }));
const ids = (xs: Array<{ id: string }>) => xs.map((x) => x.id);

describe('splitTasks', () => {
  const ratios = { train: 0.6, val: 0.2, test: 0.2 };

  it('gives the same split for the same seed and ids, whatever the file order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer(), fc.infiniteStream(fc.nat()), (n, seed, stream) => {
        const list = tasks(n);
        const keys = [...stream.take(n)];
        const shuffled = list.map((t, i) => ({ t, k: keys[i] ?? 0 })).sort((a, b) => a.k - b.k).map((x) => x.t);
        const a = splitTasks(list, ratios, seed);
        const b = splitTasks(shuffled, ratios, seed);
        assert.deepEqual([ids(a.train), ids(a.val), ids(a.test)], [ids(b.train), ids(b.val), ids(b.test)]);
      }),
    );
  });

  it('partitions every task exactly once, with ratio sizes that add up to n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer(), (n, seed) => {
        const s = splitTasks(tasks(n), ratios, seed);
        const all = [...ids(s.train), ...ids(s.val), ...ids(s.test)];
        assert.equal(all.length, n);
        assert.equal(new Set(all).size, n);
        assert.equal(s.unassigned.length, 0);
        // Each split is within one task of its exact share.
        assert.ok(Math.abs(s.train.length - 0.6 * n) < 1 && Math.abs(s.val.length - 0.2 * n) < 1 && Math.abs(s.test.length - 0.2 * n) < 1);
      }),
    );
  });

  it('hands leftover tasks to the largest fractional shares, ties in train, val, test order', () => {
    assert.deepEqual(splitSizes(10, ratios).sizes, { train: 6, val: 2, test: 2 });
    assert.deepEqual(splitSizes(7, ratios).sizes, { train: 4, val: 2, test: 1 });
    assert.deepEqual(splitSizes(5, { train: 0.3, val: 0.3, test: 0.4 }).sizes, { train: 2, val: 1, test: 2 });
    assert.deepEqual(splitSizes(9, { train: 0.5, val: 0.25, test: 0.25 }).sizes, { train: 5, val: 2, test: 2 });
    assert.deepEqual(splitSizes(3, { train: 0, val: 0, test: 1 }).sizes, { train: 0, val: 0, test: 3 });
  });

  it('changes with the seed', () => {
    const a = splitTasks(tasks(50), ratios, 1);
    const b = splitTasks(tasks(50), ratios, 2);
    assert.notDeepEqual(ids(a.train), ids(b.train));
  });

  it('takes whole counts as given, warning when tasks run short or are left over', () => {
    const s = splitTasks(tasks(10), { train: 4, val: 3, test: 2 }, 0);
    assert.deepEqual([s.train.length, s.val.length, s.test.length, s.unassigned.length], [4, 3, 2, 1]);
    assert.match(s.warnings.join('\n'), /1 of 10 tasks are in no split/);
    const short = splitTasks(tasks(5), { train: 4, val: 3, test: 2 }, 0);
    assert.deepEqual([short.train.length, short.val.length, short.test.length], [4, 1, 0]);
    assert.match(short.warnings.join('\n'), /split\.val asks for 3 tasks but only 1 are left/);
  });
});

describe('selectTasks', () => {
  it('keeps file order, filters by split and cuts to the limit', () => {
    const list = tasks(30);
    const split = splitTasks(list, { train: 0.5, val: 0.25, test: 0.25 }, 3);
    const val = selectTasks(list, split, 'val');
    assert.deepEqual(val.map((v) => v.id), ids(list).filter((id) => ids(split.val).includes(id)));
    assert.ok(val.every((v) => v.split === 'val'));
    const firstFour = selectTasks(list, split, undefined, 4);
    assert.deepEqual(firstFour.map((v) => v.id), ids(list.slice(0, 4)));
  });
});
