import { strict as assert } from 'node:assert';
import { DEFAULT_BOX, pathData, seriesPoints, yFor } from '../../../webview/chartGeometry';
import { creditClass, creditLevel, creditWords } from '../../../webview/creditScale';
import { layerNodes, layoutDag, pathEdges } from '../../../webview/dagLayout';
import { escapeHtml, renderMarkdown } from '../../../webview/markdown';
import { nextIndex, pagesFor, scrollToReveal, windowRange } from '../../../webview/windowRange';
import { strongestPaths } from '../../../src/shared/panel/attributionGraph';
import { buildTaskRows, shiftOf } from '../../../src/shared/panel/taskRows';
import type { PanelRun } from '../../../src/shared/panel/panelRun';
import type { Trajectory } from '../../../src/core/trajectory/schema';
import { outcomeMark } from '../../../webview/format';

describe('a task\'s outcome mark in the task list', () => {
  it('tells scored, unscored (a stored trajectory nothing scored) and unfinished tasks apart', () => {
    assert.deepEqual(outcomeMark({ outcome: { score: 1, success: true }, recorded: true }), { glyph: '✓', className: 'pass', words: 'passed, score 1.00' });
    assert.deepEqual(outcomeMark({ outcome: { score: 0.25, success: false }, recorded: true }), { glyph: '✗', className: 'fail', words: 'failed, score 0.25' });
    assert.deepEqual(outcomeMark({ outcome: null, recorded: true }), { glyph: '–', className: 'unscored', words: 'unscored' });
    assert.deepEqual(outcomeMark({ outcome: null, recorded: false }), { glyph: '…', className: 'pending', words: 'not finished' });
  });

  it('a row is recorded once its task has a trajectory, scored or not', () => {
    const trajectory = (taskId: string, outcome?: Trajectory['outcome']) => ({ taskId, steps: [], ...(outcome ? { outcome } : {}) }) as unknown as Trajectory;
    const stored = [trajectory('scored', { score: 1, success: true, details: {} }), trajectory('unscored')];
    const run = { manifest: { selection: { tasks: [{ id: 'scored', split: 'train' }, { id: 'unscored', split: 'train' }, { id: 'running', split: 'val' }] } }, trajectories: stored } as unknown as PanelRun;
    const rows = buildTaskRows(run, new Map(stored.map((t) => [t.taskId, t])), new Map());
    assert.deepEqual(rows.map((r) => [r.taskId, r.recorded, outcomeMark(r).glyph]), [['scored', true, '✓'], ['unscored', true, '–'], ['running', false, '…']]);
  });
});

describe('windowed list arithmetic', () => {
  it('renders only the rows in view plus the overscan, whatever the list length', () => {
    assert.deepEqual(windowRange(0, 260, 26, 10_000, 6), { start: 0, end: 17 });
    assert.deepEqual(windowRange(26 * 5000, 260, 26, 10_000, 6), { start: 4994, end: 5017 });
    assert.deepEqual(windowRange(26 * 20_000, 260, 26, 10_000, 6), { start: 9999, end: 10_000 });
    assert.deepEqual(windowRange(0, 260, 26, 0), { start: 0, end: 0 });
  });

  it('scrolls just enough to reveal a row', () => {
    assert.equal(scrollToReveal(3, 0, 260, 26), 0);
    assert.equal(scrollToReveal(20, 0, 260, 26), 21 * 26 - 260);
    assert.equal(scrollToReveal(2, 500, 260, 26), 52);
  });

  it('names the pages a range needs', () => {
    assert.deepEqual(pagesFor({ start: 190, end: 410 }, 200), [0, 200, 400]);
    assert.deepEqual(pagesFor({ start: 5, end: 5 }, 200), []);
  });

  it('moves the selection with arrows, paging keys, Home and End, clamped to the list', () => {
    assert.equal(nextIndex('ArrowDown', 9, 10, 5), 9);
    assert.equal(nextIndex('ArrowUp', 0, 10, 5), 0);
    assert.equal(nextIndex('PageDown', 2, 10, 5), 7);
    assert.equal(nextIndex('End', 2, 10, 5), 9);
    assert.equal(nextIndex('Home', 7, 10, 5), 0);
    assert.equal(nextIndex('a', 7, 10, 5), undefined);
  });
});

describe('safe Markdown subset', () => {
  it('escapes every tag and attribute the message contains', () => {
    const html = renderMarkdown('<script>alert(1)</script> <img src=x onerror="alert(2)"> **bold**');
    assert.ok(!/<script|<img/.test(html), html);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /<strong>bold<\/strong>/);
    assert.equal(escapeHtml(`"'&`), '&quot;&#39;&amp;');
  });

  it('renders lists, code fences, inline code and line breaks, and nothing inside code is styled', () => {
    assert.equal(renderMarkdown('- a\n- *b*'), '<ul><li>a</li><li><em>b</em></li></ul>');
    assert.equal(renderMarkdown('1. x\n2. y'), '<ol><li>x</li><li>y</li></ol>');
    assert.equal(renderMarkdown('```\n<b>**x**</b>\n```'), '<pre><code>&lt;b&gt;**x**&lt;/b&gt;</code></pre>');
    assert.equal(renderMarkdown('use `**a**` now\nnext'), '<p>use <code>**a**</code> now<br>next</p>');
  });
});

describe('credit colours', () => {
  it('maps [-1, 1] onto seven classes and says the score in words', () => {
    assert.equal(creditClass(null), 'credit-none');
    assert.equal(creditClass(0.05), 'credit-zero');
    assert.equal(creditClass(1), 'credit-pos-3');
    assert.equal(creditClass(-0.5), 'credit-neg-2');
    assert.equal(creditLevel(7), 3);
    assert.equal(creditWords(-0.8), 'credit -0.80 (hurt)');
    assert.equal(creditWords(null), 'no credit recorded');
  });
});

describe('history chart geometry', () => {
  it('puts score 1 at the top, 0 at the bottom, and breaks the line at a missing round', () => {
    assert.equal(yFor(1, DEFAULT_BOX), DEFAULT_BOX.padTop);
    assert.equal(yFor(0, DEFAULT_BOX), DEFAULT_BOX.height - DEFAULT_BOX.padBottom);
    const points = seriesPoints([{ round: 0 }, { round: 1 }, { round: 2 }], [0.5, null, 1], DEFAULT_BOX);
    assert.equal(points[1], null);
    assert.equal((pathData(points).match(/M/g) ?? []).length, 2);
  });
});

describe('attribution graph', () => {
  it('layers nodes after their deepest predecessor and survives a cycle', () => {
    const layers = layerNodes(['a', 'b', 'c', 'd'], [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'a', to: 'c' }, { from: 'c', to: 'a' }]);
    assert.deepEqual([...layers.values()].sort(), [0, 1, 2, 0].sort());
    const layout = layoutDag(['a', 'b', 'c'], [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }]);
    assert.ok((layout.nodes.get('a')?.x ?? 0) < (layout.nodes.get('c')?.x ?? 0));
  });

  it('follows the heaviest incoming edge back from each sink when no path was recorded', () => {
    const edges = [
      { from: 'a', to: 'c', weight: 0.9 },
      { from: 'b', to: 'c', weight: 0.1 },
      { from: 'c', to: 'd', weight: 0.5 },
    ];
    assert.deepEqual(strongestPaths(edges), [['d', 'c', 'a']]);
    assert.deepEqual([...pathEdges([['d', 'c', 'a']])].sort(), ['a->c', 'c->d']);
  });
});

describe('outcome shift', () => {
  it('names the four moves between baseline and optimized prompts', () => {
    assert.deepEqual([shiftOf(true, true), shiftOf(false, true), shiftOf(true, false), shiftOf(false, false)], ['pass-pass', 'fail-pass', 'pass-fail', 'fail-fail']);
  });
});
