/**
 * Fuzz target: trajectory imports. One small valid input per format, written here (native JSONL,
 * an OTLP/JSON export with gen_ai spans, a MARBLE engine record, a Who&When log), is damaged at
 * the JSON level — a value swapped for one of another type, a key dropped or renamed, an array
 * entry doubled or removed, ids made to collide — and sometimes at the text level too. When
 * ../shared/fixtures is present, the bench adds its real files as further seeds (read in place).
 *
 * Properties: the importer returns (never throws); every trajectory it emits passes
 * validateTrajectory after a JSON round trip; no error comes from the importers' last-resort
 * guards (an internal exception); every error names a line or a path unless it is about the
 * file as a whole (it has no records at all).
 */
import fc from 'fast-check';
import { importMarbleText, importNativeText, importOtlpText, importWhoWhenText, validateTrajectory, type ImportResult } from '../../../src/core/trajectory';
import { finding, type Finding, type FuzzTarget } from './target';
import { mutatedText } from './textMutations';

export type ImportFormat = 'native' | 'otlp' | 'marble' | 'whowhen';

const NATIVE = {
  runId: 'r1',
  taskId: 't1',
  task: { input: 'What is 2+2?', reference: '4' },
  agents: [{ id: 'solver', kind: 'role' }, { id: 'checker', kind: 'role' }, { id: 'merge', kind: 'aggregator' }],
  rounds: [{ index: 0, aggregator: 'merge', state: 'four' }, { index: 1 }],
  steps: [
    { id: 'a', seq: 0, round: 0, agentId: 'solver', kind: 'llm', input: [{ role: 'system', content: 'Solve.' }, { role: 'user', content: '2+2' }], output: '4', usage: { in: 5, out: 1 }, t_start: 10, t_end: 20 },
    { id: 'b', seq: 1, round: 0, agentId: 'checker', kind: 'llm', input: 'check 4', output: 'ok', reads: ['a'] },
    { id: 'c', seq: 2, round: 0, agentId: 'merge', kind: 'aggregate', output: 'four', reads: ['a', 'b'], attrs: { note: 'x' } },
    { id: 'd', seq: 3, round: 1, agentId: 'solver', kind: 'tool_call', output: 'calc(2+2)', reads: ['c'] },
  ],
  outcome: { score: 1, success: true, details: {} },
  labels: { mistakeStepId: 'b', mistakeAgent: 'checker' },
};

const nanos = (ms: number) => String(1_700_000_000_000_000_000n + BigInt(ms) * 1_000_000n);
const kv = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });
const span = (id: string, parent: string, name: string, start: number, end: number, attrs: ReturnType<typeof kv>[]) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: id.padStart(16, '0'),
  parentSpanId: parent ? parent.padStart(16, '0') : '',
  name,
  kind: 1,
  startTimeUnixNano: nanos(start),
  endTimeUnixNano: nanos(end),
  attributes: attrs,
  status: {},
});
const OTLP = {
  resourceSpans: [
    {
      resource: { attributes: [kv('service.name', 'team')] },
      scopeSpans: [
        {
          scope: { name: 'fuzz' },
          spans: [
            span('a1', '', 'invoke_agent planner', 0, 100, [kv('gen_ai.operation.name', 'invoke_agent'), kv('gen_ai.agent.name', 'planner')]),
            span('b2', 'a1', 'chat small', 5, 50, [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.request.model', 'small'), kv('gen_ai.usage.input_tokens', 12), kv('gen_ai.usage.output_tokens', 3), kv('gen_ai.input.messages', '[{"role":"user","parts":[{"type":"text","content":"plan it"}]}]'), kv('gen_ai.output.messages', '[{"role":"assistant","parts":[{"type":"text","content":"step 1"}]}]')]),
            span('c3', 'a1', 'execute_tool search', 55, 90, [kv('gen_ai.operation.name', 'execute_tool'), kv('gen_ai.tool.name', 'search'), kv('gen_ai.tool.call.arguments', '{"q":"x"}'), kv('gen_ai.tool.call.result', 'found')]),
            span('d4', '', 'invoke_agent writer', 100, 200, [kv('gen_ai.operation.name', 'invoke_agent'), kv('gen_ai.agent.name', 'writer'), kv('gen_ai.input.messages', '[{"role":"user","content":"write"}]'), kv('gen_ai.output.messages', '[{"role":"assistant","content":"done"}]')]),
          ],
        },
      ],
    },
  ],
};

const MARBLE = {
  task: 'Write a plan.',
  coordination_mode: 'graph',
  iterations: [
    {
      iteration: 1,
      task_assignments: { alice: 'draft', bob: 'review' },
      task_results: [{ agent_id: 'alice', result: 'Result from the model:draft text\nResult from the function:{"ok": true}' }, { agent_id: 'bob', result: 'Result from the model:looks fine' }],
      communications: ['In Session s-1\nFrom alice to bob: please review\nFrom bob to alice: done'],
      summary: 'draft reviewed',
      continue_simulation: true,
    },
    { iteration: 2, task_assignments: [{ alice: 'finish' }], task_results: [{ alice: 'final' }], communications: [], summary: 'finished' },
  ],
  task_evaluation: { innovation: 4, safety: 5 },
  token_usage: 120,
  agent_kpis: { alice: 2, bob: 1 },
};

const WHOWHEN = {
  question: 'How many moons?',
  ground_truth: '2',
  history: [
    { role: 'human', content: 'How many moons does Mars have?' },
    { role: 'Orchestrator (thought)', content: 'Ask the surfer.' },
    { role: 'Orchestrator (-> WebSurfer)', content: 'Search moons of Mars.' },
    { role: 'WebSurfer', content: 'Phobos and Deimos.' },
    { role: 'Orchestrator (thought)', content: 'Answer 2.' },
  ],
  mistake_agent: 'WebSurfer',
  mistake_step: '3',
  mistake_reason: 'none',
  level: 1,
};

export const SEEDS: Record<ImportFormat, string[]> = {
  native: [JSON.stringify(NATIVE), `${JSON.stringify(NATIVE)}\n${JSON.stringify({ ...NATIVE, taskId: 't2' })}\n`, JSON.stringify([NATIVE], null, 2)],
  otlp: [JSON.stringify(OTLP), JSON.stringify(OTLP, null, 1), `${JSON.stringify(OTLP)}\n${JSON.stringify(OTLP)}`],
  marble: [JSON.stringify(MARBLE), `${JSON.stringify(MARBLE)}\n${JSON.stringify({ ...MARBLE, coordination_mode: 'tree' })}`],
  whowhen: [JSON.stringify(WHOWHEN, null, 2), JSON.stringify({ ...WHOWHEN, history: WHOWHEN.history.map((h, i) => ({ ...h, name: `agent${i % 2}` })), system_prompt: { agent0: 'be brief' } })],
};

export const IMPORTERS: Record<ImportFormat, (text: string) => ImportResult> = {
  native: importNativeText,
  otlp: (t) => importOtlpText(t, { source: 'fuzz.json' }),
  marble: (t) => importMarbleText(t, { source: 'fuzz.jsonl' }),
  whowhen: (t) => importWhoWhenText(t, { source: 'hand-crafted/1.json' }),
};

const REPLACEMENTS: unknown[] = [null, '', 'x', 0, -1, 1.5, 1e308, 2 ** 53 + 1, true, [], {}, [null], { a: 1 }, '00000000000000000000000000000000', 'a', '-1', 'NaN', '\u0000', '😀'.repeat(3)];

type JsonOp = { op: 'replace'; pick: number; value: unknown } | { op: 'drop'; pick: number } | { op: 'double'; pick: number } | { op: 'rename'; pick: number; key: string } | { op: 'copy'; from: number; to: number };

const jsonOp: fc.Arbitrary<JsonOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: fc.oneof(fc.constantFrom(...REPLACEMENTS), fc.jsonValue({ maxDepth: 2 })) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }) },
  fc.record({ op: fc.constant('double' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), key: fc.constantFrom('id', 'seq', 'round', 'spanId', 'parentSpanId', 'agent_id', 'role', 'name', '__proto__', 'constructor', 'toString', 'history', 'iterations') }),
  fc.record({ op: fc.constant('copy' as const), from: fc.nat(), to: fc.nat() }),
);

type Slot = { parent: Record<string, unknown> | unknown[]; key: string | number };

/** Every (container, key) pair in the value, in document order. */
function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) value.forEach((v, i) => (out.push({ parent: value, key: i }), slots(v, out)));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push({ parent: value as Record<string, unknown>, key: k }), slots(v, out);
  return out;
}

function applyJsonOp(root: unknown, op: JsonOp): unknown {
  const all = slots(root);
  if (all.length === 0) return root;
  const slot = all[(op.op === 'copy' ? op.to : op.pick) % all.length] as Slot;
  const get = (s: Slot) => (s.parent as Record<string | number, unknown>)[s.key];
  const set = (s: Slot, v: unknown) => Object.defineProperty(s.parent, s.key, { value: v, enumerable: true, writable: true, configurable: true });
  switch (op.op) {
    case 'replace':
      set(slot, structuredClone(op.value));
      break;
    case 'drop':
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      break;
    case 'double':
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 0, structuredClone(get(slot)));
      break;
    case 'rename':
      if (!Array.isArray(slot.parent)) {
        const v = get(slot);
        delete slot.parent[slot.key as string];
        set({ parent: slot.parent, key: op.key }, v);
      }
      break;
    case 'copy':
      set(slot, structuredClone(get(all[op.from % all.length] as Slot)));
      break;
  }
  return root;
}

/** Applies JSON edits to every JSON line (or to the whole document when it is not line-per-record). */
function mutateJson(text: string, ops: JsonOp[]): string {
  const edit = (t: string, indent?: number) => JSON.stringify(ops.reduce(applyJsonOp, JSON.parse(t) as unknown), null, indent);
  try {
    if (text.includes('\n  ') || text.startsWith('[')) return edit(text, 2);
    return text
      .split('\n')
      .map((line, i) => (line.trim() && i % 2 === ops.length % 2 ? edit(line) : line))
      .join('\n');
  } catch {
    return text;
  }
}

export interface ImportCase {
  format: ImportFormat;
  text: string;
}

/** Cases for one format from the given seed texts. */
export function importCases(format: ImportFormat, seeds: readonly string[]): fc.Arbitrary<ImportCase> {
  const structural = fc.tuple(fc.constantFrom(...seeds), fc.array(jsonOp, { minLength: 1, maxLength: 4 })).map(([t, ops]) => mutateJson(t, ops));
  const text = fc.oneof({ weight: 3, arbitrary: structural }, { weight: 1, arbitrary: mutatedText(structural, 2) });
  return text.map((t) => ({ format, text: t }));
}

const WHOLE_FILE = /not an OTLP trace|no trajectories|no spans found|no MARBLE records|is empty|no usable|not a Who&When log|a Who&When log is a JSON object/;

export function checkImport(_input: ImportCase, result: ImportResult): Finding[] {
  const out: Finding[] = [];
  for (const t of result.trajectories) {
    const check = validateTrajectory(JSON.parse(JSON.stringify(t)));
    if (!check.ok) out.push(finding('invalid-output', `emitted trajectory ${t.taskId} fails validation: ${check.problems[0]?.message} at ${check.problems[0]?.path}`));
  }
  for (const e of result.errors) {
    if (typeof e.message !== 'string' || !e.message) out.push(finding('invalid-output', 'an issue without a message'));
    if (/could not be assembled|imported record is not a valid trajectory/.test(e.message)) out.push(finding('internal-failure', e.message));
    if (e.line === undefined && !e.path && !WHOLE_FILE.test(e.message)) {
      out.push(finding('error-without-location', `"${e.message}" names neither a line nor a path`));
    }
  }
  return out;
}

export function importTarget(format: ImportFormat, seeds: readonly string[] = SEEDS[format]): FuzzTarget<ImportCase> {
  return {
    name: `import ${format}`,
    arbitrary: importCases(format, seeds),
    check: (input) => checkImport(input, IMPORTERS[format](input.text)),
    show: (input) => JSON.stringify(input.text.length > 4000 ? `${input.text.slice(0, 4000)}…` : input.text),
  };
}
