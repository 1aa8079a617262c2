import assert from 'node:assert/strict';
import { importOtlpText, validateTrajectory, type ImportResult, type Step, type Trajectory } from '../../../src/core/trajectory';
import { BASE_MS, otlpRequest, spanId, type SpanSpec } from './otlpBuilders';

function importSpans(spans: SpanSpec[], service?: string): Trajectory {
  const result = importOtlpText(JSON.stringify(otlpRequest(spans, service)));
  assert.deepEqual(result.errors, []);
  assert.equal(result.trajectories.length, 1);
  const t = result.trajectories[0] as Trajectory;
  assert.equal(validateTrajectory(JSON.parse(JSON.stringify(t))).ok, true);
  return t;
}

function byId(t: Trajectory, id: string): Step {
  const s = t.steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id} in ${t.steps.map((x) => x.id).join(', ')}`);
  return s;
}

const chat = (content: string, output: string, extra: Record<string, string | number> = {}): Record<string, string | number> => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'm',
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content }] }]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]),
  ...extra,
});
const agent = (name: string): Record<string, string> => ({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name });

const PLAN = 'Plan: first gather the three quarterly figures, then compare them against the target.';
const FIGURES = 'Figures gathered: Q1 = 10, Q2 = 12, Q3 = 9; the third quarter is below the target of 11.';

describe('OTLP importer', () => {
  describe('multi-agent traces in OTLP/JSON with GenAI attributes', () => {
    const spans: SpanSpec[] = [
      { id: 'root', name: 'workflow', start: 0, end: 100 },
      { id: 'planner', parent: 'root', start: 1, end: 10, attrs: agent('planner') },
      { id: 'p-chat', parent: 'planner', start: 2, end: 9, attrs: chat('Report on quarterly figures', PLAN, { 'gen_ai.usage.input_tokens': 30, 'gen_ai.usage.output_tokens': 12 }) },
      { id: 'solver', parent: 'root', start: 11, end: 40, attrs: agent('solver') },
      { id: 's-chat', parent: 'solver', start: 12, end: 20, attrs: chat(`The planner said: ${PLAN}`, 'calling the figures tool') },
      { id: 's-tool', parent: 'solver', start: 21, end: 25, attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'figures', 'gen_ai.tool.call.arguments': '{"q":[1,2,3]}', 'gen_ai.tool.call.result': FIGURES } },
      { id: 's-chat2', parent: 'solver', start: 26, end: 39, attrs: chat(`Tool said: ${FIGURES}`, 'Q3 misses the target.') },
      { id: 'planner2', parent: 'root', start: 41, end: 60, attrs: agent('planner') },
      { id: 'p-chat2', parent: 'planner2', start: 42, end: 59, attrs: chat('Summarise', 'Final: Q3 misses the target.') },
    ];
    let t: Trajectory;
    before(() => {
      t = importSpans(spans);
    });

    it('takes agents from agent spans and orders steps by time', () => {
      assert.deepEqual(t.agents.map((a) => a.id), ['planner', 'solver']);
      assert.deepEqual(t.steps.map((s) => `${s.agentId}:${s.kind}`), ['planner:llm', 'solver:llm', 'solver:tool_call', 'solver:tool_result', 'solver:llm', 'planner:llm']);
      assert.equal(t.steps[0]?.t_start, BASE_MS + 2);
    });

    it('opens a new round when an agent that already spoke speaks again', () => {
      assert.deepEqual(t.steps.map((s) => s.round), [0, 0, 0, 0, 1, 1]);
    });

    it('reads across agents: an agent starting its work reads what the previous agent ended with', () => {
      assert.deepEqual(byId(t, spanId('s-chat')).reads, [spanId('p-chat')]);
      assert.deepEqual(byId(t, spanId('p-chat2')).reads, [spanId('s-chat2')]);
    });

    it('reads a tool result whose text shows up in a later input, and the request that caused the call', () => {
      assert.deepEqual(byId(t, `${spanId('s-tool')}.call`).reads, [spanId('s-chat')]);
      assert.deepEqual(byId(t, spanId('s-chat2')).reads, [spanId('s-chat'), `${spanId('s-tool')}.result`]);
    });

    it('finds message flow by content even where the call tree says nothing', () => {
      // p-chat's plan is quoted in s-chat's input: the edge is there by structure and by content.
      const noStructure = importSpans([
        { id: 'a1', start: 0, end: 5, attrs: chat('go', PLAN, { 'gen_ai.agent.name': 'a' }) },
        { id: 'b1', start: 1, end: 9, attrs: chat(`Plan was: ${PLAN}`, 'ok', { 'gen_ai.agent.name': 'b' }) },
      ]);
      // b1 started before a1 ended (parallel roots), so only the content can link them.
      assert.deepEqual(byId(noStructure, spanId('b1')).reads, [spanId('a1')]);
    });
  });

  it('lets a fan-in step read every branch that ran in parallel, and parallel branches not read each other', () => {
    const t = importSpans([
      { id: 'root', start: 0, end: 100 },
      { id: 'w1', parent: 'root', start: 1, end: 20, attrs: chat('part one', 'result one', { 'gen_ai.agent.name': 'worker1' }) },
      { id: 'w2', parent: 'root', start: 2, end: 25, attrs: chat('part two', 'result two', { 'gen_ai.agent.name': 'worker2' }) },
      { id: 'agg', parent: 'root', start: 30, end: 40, attrs: chat('combine', 'combined', { 'gen_ai.agent.name': 'aggregator', 'truce.step.kind': 'aggregate' }) },
    ]);
    assert.deepEqual(byId(t, spanId('w2')).reads, []);
    assert.deepEqual(byId(t, spanId('agg')).reads, [spanId('w1'), spanId('w2')]);
    assert.equal(byId(t, spanId('agg')).kind, 'aggregate');
    assert.deepEqual(t.rounds, [{ index: 0, state: 'combined', aggregator: 'aggregator' }]);
    assert.equal(t.agents.find((a) => a.id === 'aggregator')?.kind, 'aggregator');
  });

  it('uses explicit round attributes over the heuristic, inherited from ancestors', () => {
    const t = importSpans([
      { id: 'r1', start: 0, end: 10, attrs: { 'truce.round': 1 } },
      { id: 'a', parent: 'r1', start: 1, end: 2, attrs: chat('x', 'first', { 'gen_ai.agent.name': 'a' }) },
      { id: 'a-again', parent: 'r1', start: 3, end: 4, attrs: chat('y', 'second', { 'gen_ai.agent.name': 'a' }) },
      { id: 'r0', start: 5, end: 9, attrs: { round: '0' } },
      { id: 'b', parent: 'r0', start: 6, end: 7, attrs: chat('z', 'third', { 'gen_ai.agent.name': 'b' }) },
    ]);
    // Round 0 holds b although it ran later; a speaking twice stays in round 1 because rounds are given.
    assert.deepEqual(t.steps.map((s) => [s.id, s.round]), [
      [spanId('b'), 0],
      [spanId('a'), 1],
      [spanId('a-again'), 1],
    ]);
    assert.deepEqual(t.rounds.map((r) => r.index), [0, 1]);
  });

  it('reads native round markers: span names and LangGraph metadata', () => {
    const t = importSpans([
      { id: 'it1', name: 'Round 1', start: 0, end: 10 },
      { id: 'a', parent: 'it1', start: 1, end: 2, attrs: chat('x', 'one', { 'gen_ai.agent.name': 'a' }) },
      { id: 'b', start: 11, end: 12, attrs: chat('x', 'two', { 'gen_ai.agent.name': 'a', metadata: JSON.stringify({ langgraph_step: 2 }) }) },
    ]);
    assert.deepEqual(t.steps.map((s) => s.round), [1, 2]);
  });

  it('names CrewAI agents by their role: the OpenInference agent span is "<role>._execute_core" with the role as graph.node.id', () => {
    const llm = (content: string, output: string, tokens: [number, number]) => ({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini',
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': content,
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': output,
      'llm.token_count.prompt': tokens[0],
      'llm.token_count.completion': tokens[1],
    });
    const t = importSpans([
      { id: 'crew', name: 'Crew_1.kickoff', start: 0, end: 100, attrs: { 'openinference.span.kind': 'CHAIN' } },
      { id: 'r', name: 'researcher._execute_core', parent: 'crew', start: 1, end: 40, attrs: { 'openinference.span.kind': 'AGENT', 'graph.node.id': 'researcher' } },
      { id: 'r-llm', name: 'completion', parent: 'r', start: 2, end: 39, attrs: llm('Find the facts.', 'Facts: 3 apples.', [40, 9]) },
      { id: 'w', name: 'writer._execute_core', parent: 'crew', start: 41, end: 90, attrs: { 'openinference.span.kind': 'AGENT', 'graph.node.id': 'writer', 'graph.node.parent_id': 'researcher' } },
      { id: 'w-llm', name: 'completion', parent: 'w', start: 42, end: 89, attrs: llm('Facts: 3 apples. Answer.', 'Three.', [55, 4]) },
    ], 'crewai');
    assert.deepEqual(t.agents.map((a) => a.id), ['researcher', 'writer']);
    assert.deepEqual(t.steps.map((s) => [s.agentId, s.kind, s.usage.in, s.usage.out]), [['researcher', 'llm', 40, 9], ['writer', 'llm', 55, 4]]);
  });

  it('maps OpenInference attributes (flattened messages, token counts, agent name, TOOL spans)', () => {
    const t = importSpans([
      { id: 'agent', start: 0, end: 50, attrs: { 'openinference.span.kind': 'AGENT', 'agent.name': 'researcher', 'input.value': 'What is 2+2?' } },
      {
        id: 'llm',
        parent: 'agent',
        start: 1,
        end: 10,
        attrs: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-x',
          'llm.input_messages.0.message.role': 'system',
          'llm.input_messages.0.message.content': 'Be brief.',
          'llm.input_messages.1.message.role': 'user',
          'llm.input_messages.1.message.content': 'What is 2+2?',
          'llm.output_messages.0.message.role': 'assistant',
          'llm.output_messages.0.message.tool_calls.0.tool_call.id': 'c1',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'add',
          'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"a":2,"b":2}',
          'llm.token_count.prompt': 21,
          'llm.token_count.completion': 7,
        },
      },
      { id: 'tool', parent: 'agent', start: 11, end: 12, attrs: { 'openinference.span.kind': 'TOOL', 'tool.name': 'add', 'tool_call.id': 'c1', 'input.value': '{"a":2,"b":2}', 'output.value': '4' } },
    ]);
    assert.deepEqual(t.agents.map((a) => a.id), ['researcher']);
    const llm = t.steps[0] as Step;
    assert.deepEqual(llm.input, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 2+2?' },
    ]);
    assert.equal(llm.output, '[tool_call add #c1] {"a":2,"b":2}');
    assert.deepEqual(llm.usage, { in: 21, out: 7 });
    assert.equal(llm.attrs.model, 'gpt-x');
    assert.deepEqual(byId(t, `${spanId('tool')}.call`).reads, [llm.id]);
    assert.equal(byId(t, `${spanId('tool')}.result`).output, '4');
    assert.equal(t.task?.input, 'What is 2+2?');
  });

  it('maps OpenLLMetry attributes (indexed prompt/completion, llm.usage, traceloop agent spans)', () => {
    const t = importSpans([
      { id: 'ag', start: 0, end: 20, attrs: { 'traceloop.span.kind': 'agent', 'traceloop.entity.name': 'writer' } },
      {
        id: 'call',
        parent: 'ag',
        start: 1,
        end: 10,
        attrs: {
          'llm.request.type': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.prompt.0.role': 'user',
          'gen_ai.prompt.0.content': 'Write a haiku',
          'gen_ai.completion.0.role': 'assistant',
          'gen_ai.completion.0.content': 'Autumn wind rises',
          'gen_ai.usage.prompt_tokens': 5,
          'gen_ai.usage.completion_tokens': 4,
        },
      },
      { id: 'call2', parent: 'ag', start: 11, end: 12, attrs: { 'llm.request.type': 'chat', 'gen_ai.completion.0.content': 'x', 'llm.usage.total_tokens': 40 } },
    ]);
    assert.deepEqual(t.agents.map((a) => a.id), ['writer']);
    assert.deepEqual(t.steps[0]?.input, [{ role: 'user', content: 'Write a haiku' }]);
    assert.equal(t.steps[0]?.output, 'Autumn wind rises');
    assert.deepEqual(t.steps[0]?.usage, { in: 5, out: 4 });
    assert.deepEqual(t.steps[1]?.usage, { in: 0, out: 0, total: 40 });
    assert.deepEqual(t.usage, { in: 5, out: 4, total: 49 });
    assert.equal(t.steps[0]?.attrs.provider, 'openai');
  });

  it('reads the older per-message GenAI span events', () => {
    const t = importSpans([
      {
        id: 'c',
        start: 0,
        end: 5,
        attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2 },
        events: [
          { name: 'gen_ai.system.message', attrs: { content: 'You are terse.' } },
          { name: 'gen_ai.user.message', attrs: { content: 'Hi' } },
          { name: 'gen_ai.choice', attrs: { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Hello.' } } },
        ],
      },
    ]);
    assert.deepEqual(t.steps[0]?.input, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Hi' },
    ]);
    assert.equal(t.steps[0]?.output, 'Hello.');
  });

  it('falls back from agent attributes to the service name for steps outside any agent span', () => {
    const t = importSpans([{ id: 'c', start: 0, end: 5, attrs: chat('a', 'b') }], 'billing-bot');
    assert.equal(t.steps[0]?.agentId, 'billing-bot');
  });

  it('honours explicit truce.* attributes and span links', () => {
    const t = importSpans([
      { id: 'x', start: 0, end: 5, attrs: chat('a', 'first answer', { 'truce.run.id': 'run-7', 'truce.task.id': 'task-3', 'truce.agent.id': 'alpha' }) },
      { id: 'y', start: 1, end: 6, attrs: chat('b', 'second answer', { 'truce.agent.id': 'beta' }) },
      { id: 'z', start: 10, end: 12, links: ['x'], attrs: chat('c', 'third', { 'truce.agent.id': 'gamma', 'truce.reads': spanId('y') }) },
      { id: 'root-score', start: 13, end: 14, attrs: { 'truce.outcome.score': 0.25 } },
    ]);
    assert.equal(t.runId, 'run-7');
    assert.equal(t.taskId, 'task-3');
    assert.deepEqual(byId(t, spanId('z')).reads, [spanId('x'), spanId('y')]);
    assert.deepEqual(t.outcome, { score: 0.25, success: false, details: {} });
  });

  it('makes a leaf agent span with only agent-level input/output a message step', () => {
    const t = importSpans([{ id: 'ag', start: 0, end: 3, attrs: { 'openinference.span.kind': 'AGENT', 'agent.name': 'critic', 'input.value': 'draft', 'output.value': 'needs work' } }]);
    assert.deepEqual(t.steps.map((s) => [s.kind, s.agentId, s.output]), [['message', 'critic', 'needs work']]);
  });

  it('counts a model call once when two instrumentations nest LLM spans', () => {
    const t = importSpans([
      { id: 'outer', start: 0, end: 10, attrs: { 'openinference.span.kind': 'LLM', 'output.value': 'hello' } },
      { id: 'inner', parent: 'outer', start: 1, end: 9, attrs: chat('hi', 'hello') },
    ]);
    assert.deepEqual(t.steps.map((s) => s.id), [spanId('inner')]);
  });

  describe('input containers and ids', () => {
    it('reads one export request per line (collector file exporter) and keeps going past a bad line', () => {
      const a = JSON.stringify(otlpRequest([{ id: 'a', start: 0, end: 1, attrs: chat('x', 'y') }], 's', '11111111111111111111111111111111'));
      const b = JSON.stringify(otlpRequest([{ id: 'b', start: 0, end: 1, attrs: chat('x', 'y') }], 's', '22222222222222222222222222222222'));
      const result = importOtlpText(`${a}\n{"resourceSpans": [\n${b}\n`);
      assert.deepEqual(result.trajectories.map((t) => t.taskId), ['11111111111111111111111111111111', '22222222222222222222222222222222']);
      assert.equal(result.errors.length, 1);
      assert.equal(result.errors[0]?.line, 2);
    });

    it('accepts base64 ids and lowercases hex ids', () => {
      const doc = otlpRequest([{ id: 'a', start: 0, end: 1, attrs: chat('x', 'y') }]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
      const span = doc.resourceSpans[0]?.scopeSpans[0]?.spans[0] as Record<string, unknown>;
      span.traceId = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64');
      span.spanId = 'B7AD6B7169203331';
      const t = importOtlpText(JSON.stringify(doc)).trajectories[0] as Trajectory;
      assert.equal(t.taskId, '0af7651916cd43dd8448eb211c80319c');
      assert.equal(t.steps[0]?.id, 'b7ad6b7169203331');
    });

    it('skips spans with unusable ids and says where they are', () => {
      const doc = otlpRequest([
        { id: 'a', start: 0, end: 1, attrs: chat('x', 'y') },
        { id: 'b', start: 2, end: 3, attrs: chat('x', 'z') },
      ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
      (doc.resourceSpans[0]?.scopeSpans[0]?.spans[1] as Record<string, unknown>).spanId = 'not-an-id';
      const result = importOtlpText(JSON.stringify(doc));
      assert.equal(result.trajectories[0]?.steps.length, 1);
      assert.deepEqual(result.errors.map((e) => e.path), ['resourceSpans[0].scopeSpans[0].spans[1].spanId']);
    });

    it('breaks parent cycles instead of looping', () => {
      const result = importOtlpText(
        JSON.stringify(
          otlpRequest([
            { id: 'a', parent: 'b', start: 0, end: 1, attrs: chat('x', 'y') },
            { id: 'b', parent: 'a', start: 2, end: 3, attrs: chat('x', 'z') },
          ]),
        ),
      );
      // The earlier span becomes the root; the later one, now its child, is the innermost model call.
      assert.deepEqual(result.trajectories[0]?.steps.map((s) => s.id), [spanId('b')]);
      assert.equal(result.errors.length, 1);
      assert.match(result.errors[0]?.message ?? '', new RegExp(`span ${spanId('a')} is part of a parent cycle`));
    });
  });

  describe('bad input gives located errors and never throws', () => {
    const cases: [string, string, (r: ImportResult) => void][] = [
      ['empty file', '', (r) => assert.deepEqual(r.errors, [{ message: 'the file is empty' }])],
      ['truncated pretty-printed JSON', JSON.stringify(otlpRequest([{ id: 'a', start: 0, end: 1, attrs: chat('x', 'y') }]), null, 2).slice(0, 300), (r) => assert.ok((r.errors[0]?.line ?? 0) > 1)],
      ['binary garbage', '\u0000\u0001\u00ff\u0002garbage', (r) => assert.equal(r.errors[0]?.line, 1)],
      ['resourceSpans of the wrong type', '{"resourceSpans": 5}', (r) => assert.equal(r.errors[0]?.path, 'resourceSpans')],
      ['a span that is not an object', '{"resourceSpans": [{"scopeSpans": [{"spans": ["x"]}]}]}', (r) => assert.equal(r.errors[0]?.path, 'resourceSpans[0].scopeSpans[0].spans[0]')],
      ['attributes of the wrong type', JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: 'oops' }] }] }] }), (r) => assert.ok(r.errors.some((e) => e.path === 'resourceSpans[0].scopeSpans[0].spans[0].attributes'))],
      ['an unrelated JSON document', '{"hello": "world"}', (r) => assert.match(r.errors[0]?.message ?? '', /not an OTLP trace/)],
    ];
    for (const [name, text, check] of cases) {
      it(name, () => {
        const result = importOtlpText(text);
        assert.equal(result.trajectories.length, 0);
        assert.ok(result.errors.length > 0);
        check(result);
      });
    }
  });
});
