/**
 * The OTLP corpus of the ingest benchmark, shared by bench/ingest.ts (speed) and
 * bench/otlpSameOutput.ts (the importer's output before and after a change): one long multi-agent
 * session written the way the collector's file exporter writes it, seeded so every run writes the
 * same bytes.
 */
import { writeFile } from 'node:fs/promises';

/** Small deterministic generator, so every run reads the same bytes. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = 'the agent reads plan result critic round aggregate state tool answer because therefore check verify draft revise evidence score'.split(' ');

export function sentence(rand: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)] as string);
  return out.join(' ');
}

const OTLP_TRACE_ID = '5b8efff798038103d269b633813fc60c';
const OTLP_BASE_MS = 1_700_000_000_000;
const OTLP_ROLES = ['planner', 'researcher', 'coder', 'critic'];

export interface OtlpSpanJson {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
  status: Record<string, unknown>;
}

export function attribute(key: string, value: string | number): { key: string; value: Record<string, unknown> } {
  return { key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } };
}

function nanos(ms: number): string {
  return `${BigInt(ms) * 1_000_000n}`;
}

/**
 * How agents quote each other in practice: the whole text, only its opening (a context window cut
 * it), or re-wrapped (a template put it on several lines). Reads by content must see through all three.
 */
function quote(rand: () => number, text: string): string {
  const pick = rand();
  if (pick < 0.5) return text;
  if (pick < 0.8) return text.slice(0, 250 + Math.floor(rand() * 250));
  return text.replace(/ /g, () => (rand() < 0.1 ? '\n  ' : ' '));
}

/**
 * A session of rounds: the four roles answer in parallel, each given the task, the editor's last
 * summary and quotes of the previous round's answers (plus, now and then, an answer from long ago);
 * the coder sometimes runs a tool; the editor then merges the round. All spans hang under one
 * workflow span, so the call tree is flat and reads come from timing and from content.
 */
function* otlpSessionSpans(rand: () => number): Generator<OtlpSpanJson> {
  let nextId = 1;
  const id = (): string => (nextId++).toString(16).padStart(16, '0');
  const rootId = id();
  const systemPrompts = new Map([...OTLP_ROLES, 'editor'].map((agent) => [agent, `You are the ${agent}. ${sentence(rand, 50)}`]));
  const task = `Task: ${sentence(rand, 60)}`;
  const history: string[] = [];
  let previous: string[] = [];
  let summary = '';
  let clock = OTLP_BASE_MS;
  const chat = (agent: string, user: string, output: string, start: number, end: number, extra: OtlpSpanJson['attributes'] = []): OtlpSpanJson => ({
    traceId: OTLP_TRACE_ID,
    spanId: id(),
    parentSpanId: rootId,
    name: `chat ${agent}`,
    kind: 3,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(end),
    attributes: [
      attribute('gen_ai.operation.name', 'chat'),
      attribute('gen_ai.request.model', 'gpt-x'),
      attribute('gen_ai.agent.name', agent),
      attribute('gen_ai.input.messages', JSON.stringify([{ role: 'system', parts: [{ type: 'text', content: systemPrompts.get(agent) }] }, { role: 'user', parts: [{ type: 'text', content: user }] }])),
      attribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }])),
      attribute('gen_ai.usage.input_tokens', Math.ceil(user.length / 4)),
      attribute('gen_ai.usage.output_tokens', Math.ceil(output.length / 4)),
      ...extra,
    ],
    status: {},
  });
  for (let round = 0; ; round++) {
    const answers: string[] = [];
    let roundEnd = clock;
    for (const [r, agent] of OTLP_ROLES.entries()) {
      const parts = [task];
      if (summary) parts.push(`Editor's summary so far:\n${summary}`);
      previous.forEach((text, k) => {
        if (k !== r) parts.push(`${OTLP_ROLES[k]} said: ${quote(rand, text)}`);
      });
      if (history.length > 100 && rand() < 0.3) parts.push(`Earlier: ${quote(rand, history[history.length - 1 - Math.floor(rand() * 100)] as string)}`);
      const answer = sentence(rand, 60 + Math.floor(rand() * 120));
      const start = clock + r * 5;
      const end = start + 800 + Math.floor(rand() * 1500);
      if (agent === 'coder' && rand() < 0.5) {
        const callId = `call_${round}`;
        const args = JSON.stringify({ command: `npm test -- ${sentence(rand, 3)}` });
        const output = `${answer}\n[tool_call run_tests #${callId}] ${args}`;
        yield chat(agent, parts.join('\n\n'), output, start, end, []);
        const toolResult = `${sentence(rand, 30)} passed`;
        yield {
          traceId: OTLP_TRACE_ID,
          spanId: id(),
          parentSpanId: rootId,
          name: 'execute_tool run_tests',
          kind: 1,
          startTimeUnixNano: nanos(end + 1),
          endTimeUnixNano: nanos(end + 400),
          attributes: [attribute('gen_ai.operation.name', 'execute_tool'), attribute('gen_ai.tool.name', 'run_tests'), attribute('gen_ai.tool.call.id', callId), attribute('gen_ai.tool.call.arguments', args), attribute('gen_ai.tool.call.result', toolResult), attribute('gen_ai.agent.name', agent)],
          status: {},
        };
        roundEnd = Math.max(roundEnd, end + 400);
        answers.push(`${answer} ${toolResult}`);
      } else {
        yield chat(agent, parts.join('\n\n'), answer, start, end);
        roundEnd = Math.max(roundEnd, end);
        answers.push(answer);
      }
    }
    const merged = sentence(rand, 80 + Math.floor(rand() * 80));
    const mergeStart = roundEnd + 10;
    const mergeInput = answers.map((a, k) => `${OTLP_ROLES[k]}: ${a}`).join('\n\n');
    yield chat('editor', mergeInput, merged, mergeStart, mergeStart + 900);
    clock = mergeStart + 1000;
    summary = merged;
    previous = answers;
    history.push(...answers, merged);
  }
}

/** Export requests of 64 spans each, one per line, until the file reaches the requested size. */
export async function generateOtlp(path: string, megabytes: number): Promise<void> {
  const rand = random(7);
  const target = megabytes * 1024 * 1024;
  const lines: string[] = [];
  let bytes = 0;
  let batch: OtlpSpanJson[] = [];
  const flush = (): void => {
    const line = JSON.stringify({ resourceSpans: [{ resource: { attributes: [attribute('service.name', 'mas-session')] }, scopeSpans: [{ scope: { name: 'bench' }, spans: batch }] }] });
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
    batch = [];
  };
  for (const span of otlpSessionSpans(rand)) {
    batch.push(span);
    if (batch.length === 64) flush();
    if (bytes >= target) break;
  }
  if (batch.length > 0) flush();
  await writeFile(path, `${lines.join('\n')}\n`);
}
