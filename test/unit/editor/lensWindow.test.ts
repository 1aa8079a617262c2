import { strict as assert } from 'node:assert';
import { LENS_WINDOW_POLICY, lensWindow, lineInWindow, windowCoversVisible } from '../../../src/core/editor/lensWindow';

describe('lensWindow: which lines of a long file get CodeLenses', () => {
  it('widens a visible range by the margin on both sides', () => {
    assert.deepEqual(lensWindow([{ first: 1000, last: 1040 }], 4000, 300), [{ first: 700, last: 1340 }]);
  });

  it('clips the window to the first and last line of the document', () => {
    assert.deepEqual(lensWindow([{ first: 10, last: 50 }], 200, 300), [{ first: 0, last: 199 }]);
  });

  it('keeps two far-apart editors on one file as two windows, in line order', () => {
    assert.deepEqual(lensWindow([{ first: 3000, last: 3040 }, { first: 100, last: 140 }], 4000, 300), [
      { first: 0, last: 440 },
      { first: 2700, last: 3340 },
    ]);
  });

  it('merges windows that overlap or touch', () => {
    assert.deepEqual(lensWindow([{ first: 1000, last: 1040 }, { first: 1500, last: 1540 }], 4000, 300), [{ first: 700, last: 1840 }]);
    assert.deepEqual(lensWindow([{ first: 1000, last: 1000 }, { first: 1601, last: 1601 }], 4000, 300), [{ first: 700, last: 1901 }]);
    assert.deepEqual(lensWindow([{ first: 1000, last: 1000 }, { first: 1602, last: 1602 }], 4000, 300), [
      { first: 700, last: 1300 },
      { first: 1302, last: 1902 },
    ]);
  });

  it('gives no window when nothing is visible', () => {
    assert.deepEqual(lensWindow([], 4000, 300), []);
  });
});

describe('windowCoversVisible: when to ask for lenses again', () => {
  const covered = [{ first: 700, last: 1340 }];

  it('is satisfied while the visible lines stay well inside the window', () => {
    assert.equal(windowCoversVisible(covered, [{ first: 1000, last: 1040 }], 4000, 150), true);
    assert.equal(windowCoversVisible(covered, [{ first: 850, last: 890 }], 4000, 150), true);
  });

  it('asks again once the visible lines come near an edge, before they cross it', () => {
    assert.equal(windowCoversVisible(covered, [{ first: 849, last: 889 }], 4000, 150), false);
    assert.equal(windowCoversVisible(covered, [{ first: 1160, last: 1200 }], 4000, 150), false);
    assert.equal(windowCoversVisible(covered, [{ first: 3000, last: 3040 }], 4000, 150), false);
  });

  it('does not count the document’s own first and last lines as edges to scroll past', () => {
    assert.equal(windowCoversVisible([{ first: 0, last: 340 }], [{ first: 0, last: 40 }], 4000, 150), true);
    assert.equal(windowCoversVisible([{ first: 3659, last: 3999 }], [{ first: 3960, last: 3999 }], 4000, 150), true);
  });

  it('needs every editor’s visible range covered, each by one span', () => {
    const two = [{ first: 0, last: 440 }, { first: 2700, last: 3340 }];
    assert.equal(windowCoversVisible(two, [{ first: 100, last: 140 }, { first: 3000, last: 3040 }], 4000, 150), true);
    assert.equal(windowCoversVisible(two, [{ first: 100, last: 140 }, { first: 2000, last: 2040 }], 4000, 150), false);
  });

  it('is satisfied when nothing is visible (no editor to fill)', () => {
    assert.equal(windowCoversVisible(covered, [], 4000, 150), true);
  });

  it('is satisfied right after a window is computed from the same visible lines', () => {
    const visible = [{ first: 1200, last: 1260 }];
    const { marginLines, refreshWithinLines } = LENS_WINDOW_POLICY;
    assert.equal(windowCoversVisible(lensWindow(visible, 4000, marginLines), visible, 4000, refreshWithinLines), true);
  });
});

describe('lineInWindow', () => {
  it('includes both edge lines of each span and nothing between spans', () => {
    const window = [{ first: 0, last: 440 }, { first: 2700, last: 3340 }];
    assert.deepEqual([0, 440, 441, 2699, 2700, 3340, 3341].map((line) => lineInWindow(window, line)), [true, true, false, false, true, true, false]);
  });
});
