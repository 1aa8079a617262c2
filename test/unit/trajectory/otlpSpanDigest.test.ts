import assert from 'node:assert/strict';
import { importOtlpText } from '../../../src/core/trajectory';

/**
 * Spans are digested as they are parsed (otlpSpanDigest.ts). A value that cannot be read then, here
 * an attribute nested too deep to turn into text, must fail exactly as it would have when the importer
 * asked for it: the trace is reported as not assembled, and other traces are still imported.
 */
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '1bf7651916cd43dd8448eb211c80319c';

function sdkSpan(traceId: string, spanId: string, attributes: string): string {
  return `{"context":{"trace_id":"0x${traceId}","span_id":"0x${spanId}"},"name":"span ${spanId}","attributes":{${attributes}}}`;
}

const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const fine = sdkSpan(TRACE_B, '00f067aa0ba902b8', '"gen_ai.operation.name":"chat","gen_ai.output":"fine"');

describe('OTLP span digests', () => {
  for (const [name, attributes] of [
    ['role', `"gen_ai.operation.name": ${deep(100_000)}`],
    ['output', `"gen_ai.operation.name":"chat","gen_ai.output": ${deep(100_000)}`],
    ['tool call', `"gen_ai.operation.name":"execute_tool","gen_ai.tool.call.arguments": ${deep(100_000)}`],
  ] as const) {
    it(`a span whose ${name} cannot be read fails its trace only, as before digests`, () => {
      const result = importOtlpText(`{"spans":[${sdkSpan(TRACE_A, '00f067aa0ba902b7', attributes)},${fine}]}`);
      assert.deepEqual(result.trajectories.map((t) => t.taskId), [TRACE_B]);
      assert.deepEqual(result.errors, [{ message: `trace ${TRACE_A} could not be assembled: Maximum call stack size exceeded`, path: 'spans[0]' }]);
    });
  }

  it('a value of a span that never becomes a step is never asked for, so it cannot fail the trace', () => {
    const structure = sdkSpan(TRACE_B, '00f067aa0ba902b9', `"gen_ai.operation.name":"workflow","gen_ai.output": ${deep(100_000)}`);
    const result = importOtlpText(`{"spans":[${structure},${fine}]}`);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.trajectories[0]?.steps.map((s) => s.output), ['fine']);
  });
});
