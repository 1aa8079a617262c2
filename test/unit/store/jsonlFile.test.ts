import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonlAppender, parseJsonlBuffer, readJsonlFile } from '../../../src/core/store';
import { tempDir } from '../llm/helpers';

describe('append-only JSONL files', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir('jsonl')));
  afterEach(() => dir.remove());

  it('drops an incomplete final line and reports where it was', () => {
    const parsed = parseJsonlBuffer(Buffer.from('{"a":1}\n{"a":2}\n{"a":3, "b": "hal'));
    assert.deepEqual(parsed.lines.map((l) => l.value), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(parsed.torn, { line: 3, bytes: 17 });
    assert.deepEqual(parsed.errors, []);
  });

  it('treats a final line without its newline as torn even when it parses, since its write may not have finished', () => {
    const parsed = parseJsonlBuffer(Buffer.from('{"a":1}\n{"a":2}'));
    assert.equal(parsed.lines.length, 1);
    assert.equal(parsed.torn?.line, 2);
  });

  it('reports a broken complete line in the middle without losing the lines after it', () => {
    const parsed = parseJsonlBuffer(Buffer.from('{"a":1}\nnot json\n{"a":3}\n'));
    assert.deepEqual(parsed.lines.map((l) => l.line), [1, 3]);
    assert.equal(parsed.errors[0]?.line, 2);
  });

  it('reads a missing file as empty', async () => {
    assert.deepEqual(await readJsonlFile(join(dir.path, 'nope.jsonl')), { lines: [], errors: [] });
  });

  it('cuts a torn tail before appending, so the next record never glues onto a fragment', async () => {
    const file = join(dir.path, 'journal.jsonl');
    writeFileSync(file, '{"n":1}\n{"n":2}\n');
    appendFileSync(file, '{"n":3,"pad":"xxxxxxxx'); // what a kill -9 mid-write leaves
    const { appender, droppedBytes } = await JsonlAppender.open(file, { durable: true });
    assert.equal(droppedBytes, 22);
    await appender.append({ n: 4 });
    assert.equal(readFileSync(file, 'utf8'), '{"n":1}\n{"n":2}\n{"n":4}\n');
    const read = await readJsonlFile(file);
    assert.equal(read.torn, undefined);
    assert.deepEqual(read.errors, []);
  });

  it('cuts a file that is one torn line to nothing', async () => {
    const file = join(dir.path, 'calls.jsonl');
    writeFileSync(file, '{"half":');
    const { droppedBytes } = await JsonlAppender.open(file);
    assert.equal(droppedBytes, 8);
    assert.equal(readFileSync(file, 'utf8'), '');
  });

  it('never interleaves concurrent appends, even of large records', async () => {
    const file = join(dir.path, 'trajectories.jsonl');
    const { appender } = await JsonlAppender.open(file);
    const big = 'y'.repeat(200_000);
    await Promise.all(Array.from({ length: 40 }, (_, i) => appender.append({ i, big })));
    const read = await readJsonlFile(file);
    assert.deepEqual(read.errors, []);
    assert.deepEqual(read.lines.map((l) => (l.value as { i: number }).i), Array.from({ length: 40 }, (_, i) => i));
  });

  it('gathers appends that arrive during a write into the next single write, in order', async () => {
    const file = join(dir.path, 'journal.jsonl');
    const { appender } = await JsonlAppender.open(file, { durable: true });
    const first = appender.append({ i: 0 });
    // Let the first write start, then queue many appends behind it.
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 30 }, (_, k) => appender.append({ i: k + 1 }));
    await Promise.all([first, ...rest]);
    assert.equal(appender.writes, 2, 'one write for the first append, one for the thirty queued behind it');
    const read = await readJsonlFile(file);
    assert.deepEqual(read.lines.map((l) => (l.value as { i: number }).i), Array.from({ length: 31 }, (_, i) => i));
    assert.equal(read.torn, undefined);
  });

  it('fails every append of a failed write and every later one', async () => {
    const file = join(dir.path, 'missing-folder', 'journal.jsonl');
    const { appender } = await JsonlAppender.open(file);
    const a = appender.append({ i: 0 });
    const b = appender.append({ i: 1 });
    await assert.rejects(a, /ENOENT/);
    await assert.rejects(b, /ENOENT/);
    await assert.rejects(appender.append({ i: 2 }), /ENOENT/);
    await assert.rejects(appender.flush(), /ENOENT/);
  });
});
