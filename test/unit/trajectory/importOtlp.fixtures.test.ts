import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { importOtlpText, validateTrajectory, type Step, type Trajectory } from '../../../src/core/trajectory';
import { fixture, requireSharedFixtures } from './sharedFixtures';

function only(text: string): Trajectory {
  const result = importOtlpText(text);
  assert.deepEqual(result.errors, []);
  assert.equal(result.trajectories.length, 1);
  const t = result.trajectories[0] as Trajectory;
  assert.equal(validateTrajectory(JSON.parse(JSON.stringify(t))).ok, true);
  return t;
}

/** The ids any-agent writes as decimal integers, converted independently of the importer. */
function hex(decimal: string, width: number): string {
  return BigInt(decimal).toString(16).padStart(width, '0');
}

describe('OTLP importer on real traces (shared fixtures)', () => {
  before(function () {
    requireSharedFixtures(this);
  });

  describe('any-agent OpenAI-agents trace (SDK span JSON, decimal ids)', () => {
    let t: Trajectory;
    before(() => {
      t = only(readFileSync(fixture('otel', 'any-agent__tests__assets__OPENAI_trace.json'), 'utf8'));
    });

    it('keeps 128-bit trace and 64-bit span ids exact', () => {
      const traceId = hex('100927429609276267646756448943279827607', 32);
      assert.equal(t.taskId, traceId);
      assert.equal(t.runId, `otlp:${traceId}`);
      // Rounded through a double, 9295669169508793927 would become …8794000 and a different id.
      assert.equal(t.steps[0]?.id, hex('9295669169508793927', 16));
      assert.notEqual(t.steps[0]?.id, Number('9295669169508793927').toString(16));
      assert.equal(t.steps[1]?.id, `${hex('13687147528289423029', 16)}.call`);
    });

    it('makes model calls llm steps and splits each tool span into call and result', () => {
      assert.deepEqual(
        t.steps.map((s) => s.kind),
        ['llm', 'tool_call', 'tool_result', 'llm', 'tool_call', 'tool_result', 'llm'],
      );
      assert.deepEqual(t.steps.filter((s) => s.kind === 'tool_call').map((s) => s.attrs.tool), ['get_current_time', 'write_file']);
      assert.match(t.steps[2]?.output ?? '', /"datetime": "2025-09-16T08:43:13-04:00"/);
      assert.equal(t.steps[5]?.output, '{}');
    });

    it('attributes every step to the invoking agent, whose own span is not a step', () => {
      assert.deepEqual(t.agents, [{ id: 'any_agent', kind: 'role' }]);
      assert.ok(t.steps.every((s) => s.agentId === 'any_agent'));
    });

    it('reads token counts per call and sums them', () => {
      assert.deepEqual(t.steps.filter((s) => s.kind === 'llm').map((s) => s.usage), [
        { in: 269, out: 16 },
        { in: 359, out: 14 },
        { in: 392, out: 46 },
      ]);
      assert.deepEqual(t.usage, { in: 1020, out: 76 });
    });

    it('links steps along the parent/child structure: request → call → result → next call', () => {
      const ids = t.steps.map((s) => s.id);
      const readsOf = (i: number): number[] => (t.steps[i] as Step).reads.map((r) => ids.indexOf(r));
      assert.deepEqual(readsOf(0), []);
      assert.deepEqual(readsOf(1), [0]);
      assert.deepEqual(readsOf(2), [1]);
      assert.deepEqual(readsOf(3), [0, 2]);
      assert.deepEqual(readsOf(4), [3]);
      assert.deepEqual(readsOf(5), [4]);
      assert.deepEqual(readsOf(6), [3, 5]);
    });

    it('keeps messages, times and the run-level final output', () => {
      const first = t.steps[0] as Step;
      assert.deepEqual((first.input as { role: string }[]).map((m) => m.role), ['system', 'user']);
      assert.equal(first.output, '[tool_call get_current_time] {"timezone": "America/New_York"}');
      assert.equal(first.t_start, 1758026593210.77);
      assert.equal(first.t_end, 1758026593449.611);
      assert.match(t.task?.input ?? '', /^Find what year it is in the America\/New_York timezone/);
      assert.equal(((t.attrs?.finalOutput as { steps: unknown[] }).steps).length, 2);
      assert.deepEqual(t.rounds.map((r) => r.index), [0, 1, 2]);
      assert.deepEqual(t.steps.map((s) => s.round), [0, 0, 0, 1, 1, 1, 2]);
    });
  });

  it('pairs tool calls by gen_ai.tool.call.id in the Agno trace', () => {
    const t = only(readFileSync(fixture('otel', 'any-agent__tests__assets__AGNO_trace.json'), 'utf8'));
    assert.deepEqual(t.steps.filter((s) => s.kind === 'tool_result').map((s) => s.attrs.callId), ['LlAGPjfO0', 'wzCUjvRq4']);
    assert.deepEqual(t.usage, { in: 395 + 483 + 518, out: 16 + 14 + 44 });
    assert.equal(t.steps.length, 7);
  });

  it('reads an OpenInference GenAI attribute map with parts-style messages and tool calls', () => {
    const t = only(readFileSync(fixture('otel', 'openinference__openinference-genai__fixtures__otel_genai_client_span_tool_calls.json'), 'utf8'));
    assert.equal(t.steps.length, 1);
    const s = t.steps[0] as Step;
    assert.equal(s.kind, 'llm');
    assert.deepEqual(s.input, [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Absolutely! Let me check the weather for you.\n[tool_call get_weather #1234] {"location":"Paris"}' },
      { role: 'tool', content: '[tool_result #1234] rainy, 57°F' },
    ]);
    assert.equal(s.output, 'The weather in Paris is currently rainy with a temperature of 57°F.');
    assert.deepEqual(s.usage, { in: 97, out: 52 });
    assert.equal(s.attrs.model, 'gpt-4-0613');
    assert.equal(s.attrs.provider, 'openai');
    assert.deepEqual(s.attrs.finishReasons, ['stop']);
  });

  it('reports the canonical OTLP example (no GenAI spans) instead of inventing a trajectory', () => {
    const result = importOtlpText(readFileSync(fixture('otel', 'opentelemetry-proto__examples__trace.json'), 'utf8'));
    assert.equal(result.trajectories.length, 0);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.path, 'resourceSpans[0].scopeSpans[0].spans[0]');
    assert.match(result.errors[0]?.message ?? '', /trace 5b8efff798038103d269b633813fc60c: no model, tool or agent spans/);
  });
});
