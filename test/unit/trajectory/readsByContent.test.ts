import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readsByContent, type TextFlowOptions } from '../../../src/core/trajectory/readsByContent';

/**
 * The definition, searched the plain way: for each step, every earlier output in the window (nearest
 * first) is looked for in the whitespace-normalised input; a text already found for a later step is
 * not counted again. The indexed search must give exactly these edges.
 */
function plainReads(steps: ReadonlyArray<{ input: string; output: string }>, options: TextFlowOptions = {}): number[][] {
  const minLength = options.minLength ?? 24;
  const probeLength = options.probeLength ?? 200;
  const lookBack = options.lookBack ?? 64;
  const normalize = (text: string): string => text.replace(/\s+/g, ' ').trim();
  const probes = steps.map((s) => {
    const n = normalize(s.output);
    return n.length >= minLength ? n.slice(0, probeLength) : undefined;
  });
  return steps.map((step, i) => {
    if (step.input === '') return [];
    const haystack = normalize(step.input);
    const found: number[] = [];
    const seen = new Set<string>();
    for (let j = i - 1; j >= 0 && j >= i - lookBack; j--) {
      const probe = probes[j];
      if (probe === undefined || seen.has(probe)) continue;
      if (haystack.includes(probe)) {
        found.push(j);
        seen.add(probe);
      }
    }
    return found.reverse();
  });
}

const PLAN = 'Plan: split the dataset by year, then fit one model per split and compare their errors.';
const REVIEW = 'Review: the split by year leaks future prices into the training folds of early years.';

describe('readsByContent', () => {
  it('finds an output quoted whole, re-wrapped, or cut after its opening', () => {
    const long = `${PLAN} ${'More detail follows here. '.repeat(20)}`;
    const steps = [
      { input: '', output: PLAN },
      { input: `Context:\n${PLAN}\nYour turn.`, output: REVIEW },
      { input: `Plan:\n   split the dataset\tby year,\n then fit one model per split and compare their errors.`, output: 'ok' },
      { input: '', output: long },
      // Only the first 200 normalised characters of `long` are quoted, the rest is cut away.
      { input: `Quoted: ${long.slice(0, 210)} [truncated]`, output: 'fine' },
    ];
    assert.deepEqual(readsByContent(steps), [[], [0], [0], [], [0, 3]]);
  });

  it('credits only the most recent of several steps that produced the same text', () => {
    const steps = [
      { input: '', output: PLAN },
      { input: 'unrelated question', output: PLAN },
      { input: `We agreed: ${PLAN} And: ${REVIEW}`, output: REVIEW },
      { input: `Again: ${PLAN}`, output: 'done' },
    ];
    assert.deepEqual(readsByContent(steps), [[], [], [1], [1]]);
  });

  it('ignores outputs shorter than minLength and steps outside the look-back window', () => {
    const steps = [
      { input: '', output: PLAN },
      { input: 'x', output: 'yes' },
      { input: 'y', output: REVIEW },
      { input: `yes. ${PLAN} ${REVIEW}`, output: 'z' },
    ];
    assert.deepEqual(readsByContent(steps), [[], [], [], [0, 2]]);
    assert.deepEqual(readsByContent(steps, { lookBack: 2 }), [[], [], [], [2]]);
    assert.deepEqual(readsByContent(steps, { lookBack: 0 }), [[], [], [], []]);
    // With a tiny minLength even "yes" is evidence; it is shorter than any hashed window.
    assert.deepEqual(readsByContent(steps, { minLength: 3 }), [[], [], [], [0, 1, 2]]);
  });

  it('finds a quote that starts the input, ends it, or overlaps another quote', () => {
    const a = 'alpha beta gamma delta epsilon zeta eta theta';
    const b = 'theta iota kappa lambda mu nu xi omicron pi rho';
    const steps = [
      { input: '', output: a },
      { input: '', output: b },
      // a's end is b's start: both occur, sharing "theta".
      { input: `alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho`, output: 'c' },
      { input: `${b}`, output: 'd' },
    ];
    assert.deepEqual(readsByContent(steps), [[], [], [0, 1], [1]]);
  });

  it('agrees with the plain search on generated traces (repeats, cuts, odd whitespace, small windows)', () => {
    // Every kind of whitespace `\s` knows, and look-alikes it does not (zero-width space, U+180E).
    const word = fc.constantFrom('plan', 'fit', 'model', 'year', 'split', 'a', 'the', 'error', 'é', '😀', '\u200b', 'x\u180ey');
    const space = fc.constantFrom(' ', ' ', ' ', '  ', '\n', '\t', '\u00a0', ' \n ', '\r\n', '\v\f', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff');
    const text = fc.array(fc.tuple(word, space), { minLength: 0, maxLength: 30 }).map((parts) => parts.map(([w, s]) => w + s).join(''));
    const trace = fc.array(fc.record({ output: text, own: text, quotes: fc.array(fc.tuple(fc.nat(), fc.nat({ max: 120 }), fc.boolean()), { maxLength: 3 }) }), { minLength: 1, maxLength: 25 }).map((raw) => {
      const steps: { input: string; output: string }[] = [];
      raw.forEach((r, i) => {
        // Inputs quote earlier outputs, whole or cut, with their whitespace changed.
        const quoted = i === 0 ? [] : r.quotes.map(([k, cut, rewrap]) => {
          const source = (steps[k % i] as { output: string }).output;
          const piece = source.slice(0, cut === 0 ? undefined : cut);
          return rewrap ? piece.replace(/ /g, '\n  ') : piece;
        });
        steps.push({ input: [r.own, ...quoted].join(' \n'), output: r.output });
      });
      return steps;
    });
    const options = fc.record({ minLength: fc.constantFrom(undefined, 0, 1, 5, 16, 17, 24, 40), probeLength: fc.constantFrom(undefined, 10, 16, 30, 200), lookBack: fc.constantFrom(undefined, 1, 2, 3, 7, 64) }).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as TextFlowOptions);
    fc.assert(
      fc.property(trace, options, (steps, opts) => {
        assert.deepEqual(readsByContent(steps, opts), plainReads(steps, opts));
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('reads an input given as its parts (messages) exactly as the parts joined by newlines', () => {
    // Parts start and end with assorted whitespace, some are empty, and quotes can span two parts.
    const piece = fc.constantFrom('', ' ', '\n', '\u00a0', '\ufeff ', 'plan the split', 'fit a model per year', 'compare the errors', 'é 😀');
    const part = fc.array(piece, { maxLength: 4 }).map((p) => p.join(' '));
    const trace = fc.array(fc.record({ output: part, parts: fc.array(part, { maxLength: 4 }), quote: fc.nat() }), { minLength: 1, maxLength: 12 }).map((raw) =>
      raw.map((r, i) => ({
        output: r.output,
        // Some inputs quote an earlier output across the boundary of two parts.
        parts: i > 0 && r.quote % 2 === 0 ? [...r.parts, (raw[r.quote % i] as { output: string }).output, ''] : r.parts,
      })),
    );
    const options = fc.record({ minLength: fc.constantFrom(undefined, 0, 5, 24), lookBack: fc.constantFrom(undefined, 2) }).map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as TextFlowOptions);
    fc.assert(
      fc.property(trace, options, (steps, opts) => {
        const joined = steps.map((s) => ({ input: s.parts.join('\n'), output: s.output }));
        const expected = plainReads(joined, opts);
        assert.deepEqual(readsByContent(joined, opts), expected);
        assert.deepEqual(readsByContent(steps.map((s) => ({ input: s.parts, output: s.output })), opts), expected);
      }),
      { numRuns: 300, seed: 12 },
    );
  });

  it('agrees with the plain search on a long trace, where the indexes are emptied and reused many times', () => {
    // Seeded: outputs of mixed lengths (long ones make the input sampling sparse), inputs quoting
    // recent and older outputs whole, cut, or at their very end.
    let state = 5;
    const rand = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const words = 'plan fit model year split error check the a of'.split(' ');
    const text = (n: number): string => Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' ');
    const steps: { input: string; output: string }[] = [];
    for (let i = 0; i < 400; i++) {
      const parts = [text(5)];
      for (let q = 0; q < 3 && i > 0; q++) {
        const source = (steps[i - 1 - Math.floor(rand() * Math.min(i, 90))] as { output: string }).output;
        parts.push(rand() < 0.5 ? source : source.slice(0, 20 + Math.floor(rand() * 300)));
      }
      steps.push({ input: parts.join(rand() < 0.5 ? '\n' : ' '), output: text(rand() < 0.3 ? 4 : 10 + Math.floor(rand() * 60)) });
    }
    const reads = readsByContent(steps);
    assert.deepEqual(reads, plainReads(steps));
    assert.ok(reads.flat().length > 400, 'the trace has plenty of edges to get wrong');
    assert.deepEqual(readsByContent(steps, { lookBack: 10 }), plainReads(steps, { lookBack: 10 }));
  });
});
