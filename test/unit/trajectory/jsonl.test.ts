import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  forEachLineOfText,
  importNativeFile,
  importNativeText,
  iterateTrajectoriesJsonl,
  lineBatches,
  LineTooLongError,
  readTrajectoriesJsonl,
  serializeTrajectory,
  writeTrajectoriesJsonl,
  type Trajectory,
} from '../../../src/core/trajectory';
import { step, trajectory } from './trajectoryBuilders';

describe('native trajectory JSONL', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'truce-jsonl-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps reading past bad lines and names each bad line', async () => {
    const good = JSON.stringify(trajectory());
    const wrongTypes = JSON.stringify({ ...trajectory(), runId: 5 });
    const file = join(dir, 'mixed.jsonl');
    const content = Buffer.concat([
      Buffer.from(`${good}\n{"runId": "r", "taskId":\n\n${wrongTypes}\n${JSON.stringify(trajectory({ taskId: 'second' }))}\r\n`),
      Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x9c, 0x0a]),
      Buffer.from('[]\n'),
    ]);
    await writeFile(file, content);
    const result = await readTrajectoriesJsonl(file);
    assert.deepEqual(result.trajectories.map((t) => t.taskId), ['task-1', 'second']);
    assert.deepEqual([...new Set(result.errors.map((e) => e.line))], [2, 4, 6, 7]);
    assert.match(result.errors.find((e) => e.line === 2)?.message ?? '', /invalid JSON/);
    assert.ok(result.errors.some((e) => e.line === 4 && e.path === 'runId'));
    assert.match(result.errors.find((e) => e.line === 6)?.message ?? '', /invalid JSON/);
  });

  it('ignores a byte-order mark and blank lines, and an empty file is not an error for the reader', async () => {
    const withBom = join(dir, 'bom.jsonl');
    await writeFile(withBom, '\uFEFF' + JSON.stringify(trajectory()) + '\n\n   \n');
    const read = await readTrajectoriesJsonl(withBom);
    assert.equal(read.trajectories.length, 1);
    assert.deepEqual(read.errors, []);
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '');
    assert.deepEqual(await readTrajectoriesJsonl(empty), { trajectories: [], errors: [] });
    assert.deepEqual((await importNativeFile(empty)).errors, [{ message: 'the file holds no trajectories' }]);
  });

  it('splits lines identically whatever the chunk size, including inside multi-byte characters', async () => {
    const lineText = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', ' ', '"', '\r', 'z'), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.array(lineText, { maxLength: 12 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), async (lines, chunkSize, finalNewline) => {
        const text = lines.join('\n') + (finalNewline ? '\n' : '');
        const file = join(dir, 'lines.txt');
        await writeFile(file, text);
        const expected: [string, number][] = [];
        forEachLineOfText(text, (t, n) => expected.push([t, n]));
        const streamed: [string, number][] = [];
        for await (const batch of lineBatches(file, { chunkSize })) for (const { text: t, line: n } of batch) streamed.push([t, n]);
        assert.deepEqual(streamed, expected);
        // And the in-memory splitter agrees with a plain split (CR before LF dropped, blanks skipped).
        const plain = text.split('\n').map((t, i) => [t.endsWith('\r') ? t.slice(0, -1) : t, i + 1] as [string, number]).filter(([t]) => t.trim() !== '');
        assert.deepEqual(expected, plain);
      }),
      { numRuns: 150 },
    );
  });

  it('stops at a line longer than a string can hold, naming the line, whichever chunk it ends in', async () => {
    const file = join(dir, 'long.txt');
    await writeFile(file, `short\n${'x'.repeat(20)}\n${'y'.repeat(50)}\nshort\n`);
    for (const chunkSize of [3, 16, 1 << 20]) {
      const seen: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const batch of lineBatches(file, { chunkSize, maxLineChars: 20 })) for (const { line } of batch) seen.push(line);
        })(),
        (error: Error) => error instanceof LineTooLongError && error.line === 3 && error.limit === 20 && /line 3 is longer than 20 characters/.test(error.message),
      );
      // Lines up to the limit are still read.
      if (chunkSize === 1 << 20) assert.deepEqual(seen, []);
      else assert.deepEqual(seen, [1, 2]);
    }
  });

  it('passes over lines too long to read when asked, numbering the rest as they are, whatever the chunk size', async () => {
    const lineText = fc.string({ unit: fc.constantFrom('a', 'é', '𝄞', ' ', '\r'), maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(fc.array(lineText, { maxLength: 10 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 25 }), fc.boolean(), async (lines, chunkSize, limit, finalNewline) => {
        const text = lines.join('\n') + (finalNewline ? '\n' : '');
        const file = join(dir, 'skip.txt');
        await writeFile(file, text);
        const entries: unknown[] = [];
        for await (const batch of lineBatches(file, { chunkSize, maxLineChars: limit, skipLinesTooLong: true })) entries.push(...batch);
        const segments = text.split('\n');
        if (finalNewline) segments.pop();
        const expected = segments.flatMap((raw, i) => {
          if (raw.length > limit) return [{ text: '', line: i + 1, tooLong: true }];
          const t = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
          return t.trim() === '' ? [] : [{ text: t, line: i + 1 }];
        });
        assert.deepEqual(entries, expected);
      }),
      { numRuns: 200 },
    );
  });

  it('reports a trajectory line too long to read as an issue of that line and reads the lines after it', async () => {
    const file = join(dir, 'long.jsonl');
    const good = JSON.stringify(trajectory());
    const limit = good.length + 10;
    await writeFile(file, `${good}\n${JSON.stringify(trajectory({ taskId: 'x'.repeat(limit) }))}\n${JSON.stringify(trajectory({ taskId: 'after' }))}\n`);
    for (const chunkSize of [7, 64, 1 << 20]) {
      const read = await readTrajectoriesJsonl(file, { chunkSize, maxLineChars: limit });
      assert.deepEqual(read.trajectories.map((t) => t.taskId), ['task-1', 'after']);
      assert.equal(read.errors.length, 1);
      assert.equal(read.errors[0]?.line, 2);
      assert.match(read.errors[0]?.message ?? '', /^line 2 is longer than [\d,]+ characters, the longest text one string can hold; it was skipped/);
      const items: string[] = [];
      for await (const item of iterateTrajectoriesJsonl(file, { chunkSize, maxLineChars: limit })) items.push('trajectory' in item ? `${item.line}:${item.trajectory.taskId}` : `${item.line}:${item.errors.length} error`);
      assert.deepEqual(items, ['1:task-1', '2:1 error', '3:after']);
    }
  });

  it('streams items one line at a time with their line numbers', async () => {
    const file = join(dir, 'stream.jsonl');
    await writeFile(file, `${JSON.stringify(trajectory())}\nnot json\n${JSON.stringify(trajectory({ taskId: 'b' }))}\n`);
    const items: string[] = [];
    for await (const item of iterateTrajectoriesJsonl(file, { chunkSize: 16 })) items.push('trajectory' in item ? `${item.line}:${item.trajectory.taskId}` : `${item.line}:error`);
    assert.deepEqual(items, ['1:task-1', '2:error', '3:b']);
  });

  it('writes what it reads back, one versioned record per line', async () => {
    const file = join(dir, 'out', 'round-trip.trajectories.jsonl');
    const originals = [trajectory(), trajectory({ taskId: 'ü-task', steps: [step('x', 0, { output: 'line\nbreak ✓', t_start: 1.5, t_end: 2.25 })] })];
    const written = await writeTrajectoriesJsonl(file, originals);
    assert.equal(written.count, 2);
    assert.equal(written.written, true);
    const text = await readFile(file, 'utf8');
    assert.equal(written.bytes, Buffer.byteLength(text));
    assert.equal(text.split('\n').length, 3);
    assert.ok(text.split('\n')[0]?.startsWith('{"version":1,'));
    const back = await readTrajectoriesJsonl(file);
    assert.deepEqual(back.errors, []);
    assert.deepEqual(back.trajectories, originals.map((t) => ({ version: 1, ...t })));
  });

  it('leaves the previous file untouched and no temporary file behind when writing fails', async () => {
    const file = join(dir, 'keep.jsonl');
    await writeFile(file, 'previous content\n');
    async function* failing(): AsyncGenerator<Trajectory> {
      yield trajectory();
      throw new Error('source broke');
    }
    await assert.rejects(writeTrajectoriesJsonl(file, failing()), /source broke/);
    assert.equal(await readFile(file, 'utf8'), 'previous content\n');
    assert.deepEqual(await readdir(dir), ['keep.jsonl']);
  });

  it('writes nothing for an empty input when asked to skip empty output', async () => {
    const file = join(dir, 'none.jsonl');
    const result = await writeTrajectoriesJsonl(file, [], { skipEmpty: true });
    assert.deepEqual(result, { count: 0, bytes: 0, written: false });
    assert.deepEqual(await readdir(dir), []);
  });

  it('accepts a JSON array or one pretty-printed trajectory as native input', () => {
    const array = importNativeText(JSON.stringify([trajectory(), { ...trajectory(), steps: 'none' }], null, 2));
    assert.equal(array.trajectories.length, 1);
    assert.deepEqual(array.errors.map((e) => e.path), ['[1].steps']);
    const single = importNativeText(JSON.stringify(trajectory(), null, 2));
    assert.equal(single.trajectories.length, 1);
    const truncated = importNativeText(JSON.stringify(trajectory(), null, 2).slice(0, 120));
    assert.equal(truncated.trajectories.length, 0);
    assert.match(truncated.errors[0]?.message ?? '', /invalid JSON/);
    assert.ok((truncated.errors[0]?.line ?? 0) > 1, 'a truncated document is reported near its end');
  });

  it('serialises with the format version first', () => {
    assert.ok(serializeTrajectory(trajectory()).startsWith('{"version":1,"runId":"run-1"'));
  });
});
