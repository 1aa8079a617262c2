import assert from 'node:assert/strict';
import { parseOtlpText } from '../../../src/core/trajectory/otlpEnvelope';

/**
 * Long integers (SDK span JSON writes 64- and 128-bit ids and nanosecond times as bare numbers) keep
 * every digit. Files are parsed as they are first and only re-read with long integers protected when
 * one is there, so these cover where one can be: the first line of a file, a later line, nowhere.
 */
const hex = (decimal: string, width: number): string => BigInt(decimal).toString(16).padStart(width, '0');

const TRACE = '100927429609276267646756448943279827607';
const SPAN = '9295669169508793927';
const START = '1758026593210770000';

function sdkLine(spanId: string, startTime = '1'): string {
  return JSON.stringify({ name: 'chat', context: { trace_id: 'TRACE', span_id: 'SPAN' }, start_time: 'START', attributes: { 'gen_ai.operation.name': 'chat' } })
    .replace('"TRACE"', TRACE)
    .replace('"SPAN"', spanId)
    .replace('"START"', startTime);
}

describe('OTLP span envelope: long integers', () => {
  it('keeps them exact in a one-document file', () => {
    const { spans, errors } = parseOtlpText(`{"spans":[${sdkLine(SPAN, START)}]}`);
    assert.deepEqual(errors, []);
    assert.equal(spans[0]?.traceId, hex(TRACE, 32));
    assert.equal(spans[0]?.spanId, hex(SPAN, 16));
    assert.equal(spans[0]?.startMs, Number(BigInt(START) / 1000n) / 1000);
  });

  it('keeps them exact when only a later line of a file has them', () => {
    const { spans, errors } = parseOtlpText(`{"spans":[]}\n${sdkLine('7')}\n${sdkLine(SPAN)}\n`);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      spans.map((s) => s.spanId),
      [hex('7', 16), hex(SPAN, 16)],
    );
  });

  it('leaves a number that only looks like one (in a string, under another key) as it is', () => {
    const text = JSON.stringify({ spans: [{ name: 'chat', context: { trace_id: '0x0af7651916cd43dd8448eb211c80319c', span_id: '0x00f067aa0ba902b7' }, attributes: { note: `"span_id": ${SPAN}`, count: 12345678901234567 } }] });
    const { spans } = parseOtlpText(text);
    assert.equal(spans[0]?.attributes.note, `"span_id": ${SPAN}`);
    assert.equal(spans[0]?.attributes.count, 12345678901234567);
  });

  it('reports a broken line of a one-document-per-line file at that line', () => {
    const good = JSON.stringify({ resourceSpans: [] });
    const { errors } = parseOtlpText(`${good}\n${good}\n{"resourceSpans": [\n${good}\n`);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.line, 3);
    assert.match(errors[0]?.message ?? '', /^invalid JSON/);
  });
});
