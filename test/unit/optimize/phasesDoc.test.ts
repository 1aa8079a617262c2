/**
 * docs/optimizer-phases.md draws the optimizer loop and the BCD/GBC phases with the file of each
 * box. The picture must not drift from the code: every file it names exists, every phase file of
 * the loop is in it, and it lists the loop's round phases in the order optimizeLoop.ts calls them.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocPicture, repoRoot } from '../../support/docPicture';

const root = repoRoot;
const { doc, named } = readDocPicture('optimizer-phases.md');

describe('the optimizer phases picture (docs/optimizer-phases.md)', () => {
  it('names only files that exist', () => {
    assert.ok(named.length > 20, `expected the picture to name the files of its boxes; found ${named.length}`);
    const missing = named.filter((file) => !existsSync(join(root, file)));
    assert.deepEqual(missing, [], `files named in docs/optimizer-phases.md that do not exist: ${missing.join(', ')}`);
  });

  it('has every phase file of the loop and of the BCD and GBC factories', () => {
    const phaseFiles = readdirSync(join(root, 'src/core/optimize/phases')).map((f) => `src/core/optimize/phases/${f}`);
    const methodPhases = ['turnScores', 'structuralCredit', 'targets', 'gradients'].map((f) => `src/core/credit/bcd/${f}.ts`).concat(['estimator', 'attributionGraph', 'connectionWeights', 'graphSignals', 'suggestAlongPaths'].map((f) => `src/core/credit/gbc/${f}.ts`));
    const absent = [...phaseFiles, ...methodPhases].filter((file) => !named.includes(file));
    assert.deepEqual(absent, [], `phase files missing from docs/optimizer-phases.md: ${absent.join(', ')}`);
  });

  it('shows the round phases in the order the loop runs them', () => {
    const loop = readFileSync(join(root, 'src/core/optimize/optimizeLoop.ts'), 'utf8');
    const round = loop.slice(loop.indexOf('async function optimizeRound'));
    const imports = new Map([...loop.matchAll(/import \{ ([^}]+) \} from '\.\/phases\/(\w+)'/g)].flatMap((m) => m[1].split(',').map((name) => [name.trim(), m[2]] as const)));
    const called = [...round.matchAll(/(?:await )?(\w+)\(run/g)].map((m) => imports.get(m[1])).filter((f): f is string => f !== undefined);
    assert.ok(called.length >= 10, `expected the round to call its phases; found ${called.join(', ')}`);
    const roundBox = doc.slice(doc.indexOf('subgraph round'), doc.indexOf('\n  end\n'));
    const drawn = [...roundBox.matchAll(/src\/core\/optimize\/phases\/(\w+)\.ts/g)].map((m) => m[1]);
    const order = called.map((f) => drawn.indexOf(f));
    assert.ok(order.every((i) => i >= 0), `round phases not in the picture: ${called.filter((_, i) => order[i] < 0).join(', ')}`);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), `the picture lists the round phases in another order than optimizeRound calls them (${called.join(' → ')})`);
  });
});
