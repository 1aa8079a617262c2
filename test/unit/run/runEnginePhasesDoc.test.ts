/**
 * docs/run-engine-phases.md draws the run engine, the gateway and the MARBLE importer with the file
 * of each box. The picture must not drift from the code: every file it names exists, every phase
 * file is in it, and it lists runMas's phases in the order runMas.ts calls them.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readDocPicture, repoRoot } from '../../support/docPicture';

const root = repoRoot;
const { doc, named } = readDocPicture('run-engine-phases.md');

describe('the run engine phases picture (docs/run-engine-phases.md)', () => {
  it('names only files that exist', () => {
    assert.ok(named.length > 20, `expected the picture to name the files of its boxes; found ${named.length}`);
    const missing = named.filter((file) => !existsSync(join(root, file)));
    assert.deepEqual(missing, [], `files named in docs/run-engine-phases.md that do not exist: ${missing.join(', ')}`);
  });

  it('has every phase file of the run engine, the gateway and the MARBLE importer', () => {
    const inFolder = (folder: string) => readdirSync(join(root, folder)).map((f) => `${folder}/${f}`);
    const gateway = ['gatewayServer', 'gatewaySessions', 'gatewayRoute', 'gatewayCall', 'forwardCall', 'gatewayRecord', 'gatewayTypes'].map((f) => `src/core/gateway/${f}.ts`);
    const expected = [...inFolder('src/core/run/phases'), ...inFolder('src/core/trajectory/marble'), ...gateway];
    const absent = expected.filter((file) => !named.includes(file));
    assert.deepEqual(absent, [], `phase files missing from docs/run-engine-phases.md: ${absent.join(', ')}`);
  });

  it("shows runMas's phases in the order runMas.ts calls them", () => {
    const source = readFileSync(join(root, 'src/core/run/runMas.ts'), 'utf8');
    const body = source.slice(source.indexOf('async function runMasLocked'));
    const imports = new Map([...source.matchAll(/import \{ ([^}]+) \} from '\.\/phases\/(\w+)'/g)].flatMap((m) => m[1].split(',').map((name) => [name.trim(), m[2]] as const)));
    const called = [...body.matchAll(/(\w+)\(/g)].map((m) => imports.get(m[1])).filter((f): f is string => f !== undefined);
    assert.ok(called.length >= 8, `expected runMasLocked to call its phases; found ${called.join(', ')}`);
    const picture = doc.slice(doc.indexOf('## One run'), doc.indexOf('## One call through the gateway'));
    const drawn = [...picture.matchAll(/src\/core\/run\/phases\/(\w+)\.ts/g)].map((m) => m[1]);
    // runTasks is drawn as the box around the per-task phases; those are checked against runTasks.ts below.
    const runLevel = drawn.filter((f) => called.includes(f));
    assert.deepEqual(runLevel, called, `the picture lists runMas's phases as ${runLevel.join(' → ')}, runMas.ts calls ${called.join(' → ')}`);
    const perTask = readFileSync(join(root, 'src/core/run/phases/runTasks.ts'), 'utf8');
    const taskCalls = [...perTask.matchAll(/\b(executeTask|scoreTask|journalTask)\(/g)].map((m) => m[1]).filter((f, i, all) => all.indexOf(f) === i);
    const taskDrawn = drawn.filter((f) => taskCalls.includes(f));
    assert.deepEqual(taskDrawn, taskCalls, `the picture lists the per-task phases as ${taskDrawn.join(' → ')}, runTasks.ts calls ${taskCalls.join(' → ')}`);
  });
});
