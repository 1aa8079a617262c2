import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { importFile, importOtlpFile, importOtlpText } from '../../../src/core/trajectory';
import { parseOtlpFileByLine, parseOtlpText } from '../../../src/core/trajectory/otlpEnvelope';
import { otlpRequest, type SpanSpec } from './otlpBuilders';
import { fixture, requireSharedFixtures } from './sharedFixtures';

/**
 * A file is imported by streaming its lines when it holds one export request per line, and read whole
 * otherwise. Whichever way is taken, the result must be exactly what importOtlpText gives for the
 * file's text: these tests compare the two on real traces, on the line shapes where the two readers
 * could part (line ends, blank lines, a BOM, long integers, broken lines, one-line files), and on
 * random files, and check that the streaming path is really the one taken where it should be.
 */

let dir: string;
let counter = 0;

function write(text: string): string {
  const path = join(dir, `trace-${counter++}.jsonl`);
  writeFileSync(path, text);
  return path;
}

async function assertSameAsText(path: string): Promise<void> {
  const fromFile = await importOtlpFile(path, { source: 'trace' });
  const fromText = importOtlpText(readFileSync(path, 'utf8'), { source: 'trace' });
  assert.deepEqual(fromFile, fromText);
}

/** What the streaming path returns for the file, with lines read a few bytes at a time so that lines cross chunk boundaries. */
async function streamed(path: string, chunkSize = 1 << 20): Promise<boolean> {
  return (await parseOtlpFileByLine(path, (span) => span, { chunkSize })) !== undefined;
}

function chat(id: string, agent: string, start: number, input: string, output: string): SpanSpec {
  return {
    id,
    start,
    end: start + 5,
    attrs: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.agent.name': agent,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: input }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]),
    },
  };
}

/** Three export requests, one per line, where the second agent quotes the first. */
const LINES = [
  JSON.stringify(otlpRequest([chat('a', 'planner', 0, 'Plan the release notes for version two.', 'First list every merged change, then group the changes by area.')])),
  JSON.stringify(otlpRequest([chat('b', 'writer', 10, 'The planner said: First list every merged change, then group the changes by area.', 'Done: three areas.')])),
  JSON.stringify(otlpRequest([chat('c', 'critic', 20, 'Review: Done: three areas.', 'The grouping misses the docs area entirely.')])),
];

/** The SDK span JSON shape with a bare 64-bit span id, which JSON.parse would round. */
const LONG_ID_LINE = '{"spans":[{"name":"chat","context":{"trace_id":100927429609276267646756448943279827607,"span_id":9295669169508793927},"attributes":{"gen_ai.operation.name":"chat"}}]}';

describe('OTLP file import: streamed by line, same result as the whole text', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'truce-otlp-file-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams a file of one export request per line and imports it as the text importer does', async () => {
    const path = write(`${LINES.join('\n')}\n`);
    assert.equal(await streamed(path), true);
    const result = await importOtlpFile(path);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      result.trajectories[0]?.steps.map((s) => s.agentId),
      ['planner', 'writer', 'critic'],
    );
    // The writer quoted the planner: a read found by content, which needs every line's messages.
    assert.ok(result.trajectories[0]?.steps[1]?.reads.includes(result.trajectories[0]?.steps[0]?.id as string));
    await assertSameAsText(path);
  });

  it('counts lines as the text importer does: CRLF, blank and whitespace-only lines, a BOM, lines across chunks', async () => {
    const text = `\ufeff\r\n${LINES[0]}\r\n\r\n  \t \n${LINES[1]}\n\n${LINES[2]}`;
    const path = write(text);
    assert.equal(await streamed(path, 7), true);
    const byLine = (await parseOtlpFileByLine(path, (span) => span, { chunkSize: 7 }))?.spans.map((s) => s.line);
    assert.deepEqual(byLine, parseOtlpText(text).spans.map((s) => s.line));
    assert.deepEqual(byLine, [2, 5, 7]);
    await assertSameAsText(path);
  });

  it('reads a file whole when a line does not parse, and reports that line as the text importer does', async () => {
    const path = write(`${LINES[0]}\n{"resourceSpans": [\n${LINES[2]}\n`);
    assert.equal(await streamed(path), false);
    const result = await importOtlpFile(path);
    assert.equal(result.errors[0]?.line, 2);
    await assertSameAsText(path);
  });

  it('reads a file whole when a line holds a long integer, so ids keep every digit', async () => {
    const path = write(`${LINES[0]}\n${LONG_ID_LINE}\n`);
    assert.equal(await streamed(path), false);
    const result = await importOtlpFile(path);
    const ids = result.trajectories.flatMap((t) => t.steps.map((s) => s.id));
    assert.ok(ids.includes(BigInt('9295669169508793927').toString(16).padStart(16, '0')), `ids: ${ids.join(', ')}`);
    await assertSameAsText(path);
  });

  it('reads one-line, pretty-printed, empty and Unicode-blank files whole, as the text importer does', async () => {
    const cases = [
      LINES[0] as string,
      `${LINES[0]}\n\n`,
      JSON.stringify(otlpRequest([chat('a', 'planner', 0, 'Plan it carefully, step by step.', 'A plan with three steps in it.')]), null, 2),
      '',
      '\n \n',
      `${LINES[0]}\n\u00a0\n${LINES[1]}\n`,
      `${LINES[0]}\n\u2028\n`,
    ];
    for (const text of cases) {
      const path = write(text);
      assert.equal(await streamed(path), false, JSON.stringify(text.slice(0, 40)));
      await assertSameAsText(path);
    }
  });

  it('is the path importFile takes for OTLP, with the format and the source recorded', async () => {
    const path = write(`${LINES.join('\n')}\n`);
    const result = await importFile(path, { format: 'otlp' });
    assert.equal(result.format, 'otlp');
    assert.deepEqual({ ...result, format: undefined }, { ...importOtlpText(readFileSync(path, 'utf8'), { source: path }), format: undefined });
    assert.equal(result.trajectories[0]?.attrs?.file, path);
  });

  it('throws for a file that cannot be read, and stops when aborted', async () => {
    await assert.rejects(importOtlpFile(join(dir, 'missing.jsonl')), { code: 'ENOENT' });
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(importOtlpFile(write(`${LINES.join('\n')}\n`), { signal: controller.signal }), { name: 'AbortError' });
  });

  it('reports a line too long to be one string at that line, instead of throwing the engine\'s error', async () => {
    const limit = Math.max((LINES[0] as string).length, (LINES[1] as string).length) + 10;
    const path = write(`${LINES[0]}\n${LINES[1]}${' '.repeat(20)}\n${LINES[2]}\n`);
    const result = await importOtlpFile(path, { maxLineChars: limit });
    assert.deepEqual(result.trajectories, []);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.line, 2);
    assert.match(result.errors[0]?.message ?? '', /^line 2 is longer than [\d,]+ characters.*one export request per line/);
  });

  it('says what to do with a file too large to read as one document, instead of "Invalid string length"', async function () {
    this.timeout(120_000);
    // 600 MB that is not one request per line: a brace on its own line, then a sparse run of zero bytes.
    const path = write('{\n');
    truncateSync(path, 600 * 1024 * 1024);
    const result = await importOtlpFile(path);
    truncateSync(path, 0);
    assert.deepEqual(result.trajectories, []);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]?.message ?? '', /too large to read as one JSON document.*one export request per line/);
  });

  it('agrees with the text importer on random files of export requests, line ends and blank lines', async function () {
    this.timeout(60_000);
    const line = fc.constantFrom(...LINES, LONG_ID_LINE, '{"resourceSpans": [', '', '   ', '\u00a0', '{"resourceSpans":[]}');
    const ending = fc.constantFrom('\n', '\r\n');
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.tuple(line, ending), { maxLength: 8 }), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (bom, lines, trailing, chunkSize) => {
        let text = (bom ? '\ufeff' : '') + lines.map(([l, e]) => l + e).join('');
        if (!trailing && text.endsWith('\n')) text = text.replace(/\r?\n$/, '');
        const path = write(text);
        const viaStream = await parseOtlpFileByLine(path, (span) => span, { chunkSize });
        if (viaStream) assert.deepEqual(viaStream, { ...parseOtlpText(text), spans: parseOtlpText(text).spans });
        await assertSameAsText(path);
      }),
      { numRuns: 150 },
    );
  });

  describe('on real traces (shared fixtures)', () => {
    before(function () {
      requireSharedFixtures(this);
    });

    it('gives what the text importer gives for every OTLP fixture', async () => {
      const files = readdirSync(fixture('otel')).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'));
      assert.ok(files.length > 0);
      for (const file of files) await assertSameAsText(fixture('otel', file));
    });
  });
});
