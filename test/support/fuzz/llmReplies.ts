/**
 * Fuzz targets: LLM replies. Replies are built from what models really send — bare JSON, JSON in
 * a fence (labelled or not), JSON in prose, JSON cut off at a random point, lookalikes with stray
 * brackets and quotes — plus random strings.
 *
 * extractJson: returns (never throws); an `ok` value is what JSON.parse gives for some substring;
 * bare JSON and a lone json fence of an object come back deep-equal to what was sent.
 * callStructured against the fake server (a scripted responder plays two replies, the answer and
 * the repair): returns or throws an LlmError only; an `ok` value always passes the zod schema, and
 * a first reply that is already a valid object is accepted without a repair.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { z } from 'zod';
import { LlmClient } from '../../../src/core/llm/client';
import { isLlmError } from '../../../src/core/llm/errors';
import { extractJson } from '../../../src/core/llm/extractJson';
import { createLlmServices } from '../../../src/core/llm/services';
import { callStructured } from '../../../src/core/llm/structured';
import { start, type FakeOpenAiServer } from '../fakeOpenAiServer';
import { finding, type Finding, type FuzzTarget } from './target';
import { awkwardText } from './textMutations';

/** The schema structured calls are checked against: small, with a nested array and an enum. */
export const Verdict = z.object({
  verdict: z.enum(['keep', 'edit', 'drop']),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()).max(5),
});

const validVerdict = fc.record({ verdict: fc.constantFrom('keep', 'edit', 'drop'), score: fc.double({ min: 0, max: 1, noNaN: true }), reasons: fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }) });
const nearVerdict = fc.record(
  { verdict: fc.oneof(fc.constantFrom('keep', 'KEEP', 'maybe', ''), fc.integer()), score: fc.oneof(fc.double(), fc.constant('0.5'), fc.constant(null)), reasons: fc.oneof(fc.array(fc.string({ maxLength: 6 }), { maxLength: 8 }), fc.string()), extra: fc.jsonValue({ maxDepth: 1 }) },
  { requiredKeys: [] },
);
const payload = fc.oneof({ weight: 2, arbitrary: validVerdict }, { weight: 2, arbitrary: nearVerdict }, fc.jsonValue({ maxDepth: 3 }));

/** How a model wraps its JSON. */
export type Shape = 'bare' | 'json-fence' | 'fence' | 'prose' | 'truncated' | 'noise';

export interface Reply {
  shape: Shape;
  value: unknown;
  text: string;
}

const prose = fc.oneof(awkwardText, fc.constantFrom('Here is the answer:', 'Sure! [1] see below.', 'I think {maybe} this:', 'Note: use "quotes" and } braces', '```', 'json', '```json', 'Final answer'));

export const reply: fc.Arbitrary<Reply> = fc
  .tuple(fc.constantFrom<Shape>('bare', 'json-fence', 'fence', 'prose', 'truncated', 'noise'), payload, prose, prose, fc.nat(), fc.boolean())
  .map(([shape, value, before, after, cut, pretty]) => {
    const json = JSON.stringify(value, null, pretty ? 2 : undefined) ?? 'null';
    const text = {
      bare: json,
      'json-fence': `\`\`\`json\n${json}\n\`\`\``,
      fence: `${before}\n\`\`\`\n${json}\n\`\`\`\n${after}`,
      prose: `${before} ${json} ${after}`,
      truncated: `${before}${json.slice(0, cut % (json.length + 1))}`,
      noise: `${before}${after}`,
    }[shape];
    return { shape, value, text };
  });

export function checkExtract(r: Reply): Finding[] {
  const out: Finding[] = [];
  const result = extractJson(r.text);
  if (result.ok) {
    if (result.value === undefined) out.push(finding('invalid-output', 'ok with an undefined value'));
    // Only a whole reply may be a bare scalar; a fence or an embedded find is an object or an array.
    if (result.source === 'embedded' && (result.value === null || typeof result.value !== 'object')) out.push(finding('wrong-value', `embedded scalar ${JSON.stringify(result.value)}`));
  } else if (!['empty', 'no-json', 'truncated', 'malformed'].includes(result.problem) || !result.message) {
    out.push(finding('invalid-output', `unknown failure ${JSON.stringify(result)}`));
  }
  const sentObject = r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value);
  if ((r.shape === 'bare' || (r.shape === 'json-fence' && sentObject)) && !(result.ok && isDeepStrictEqual(result.value, JSON.parse(JSON.stringify(r.value) ?? 'null')))) {
    out.push(finding('wrong-value', `${r.shape} JSON not returned as sent: ${JSON.stringify(result).slice(0, 200)}`));
  }
  return out;
}

export const extractJsonTarget: FuzzTarget<Reply> = {
  name: 'extractJson',
  arbitrary: fc.oneof({ weight: 4, arbitrary: reply }, fc.string({ unit: 'binary', maxLength: 40 }).map((text) => ({ shape: 'noise' as const, value: undefined, text }))),
  check: checkExtract,
  show: (r) => JSON.stringify(r.text),
};

export interface StructuredCase {
  first: Reply;
  repair: Reply;
  mode: 'json_schema' | 'prompt';
}

/**
 * The structured-call target needs a server: `open` starts the fake server whose responder plays
 * the replies of the case in flight (cases run one at a time), `close` stops it.
 */
export async function openStructuredTarget(): Promise<FuzzTarget<StructuredCase> & { close(): Promise<void> }> {
  let current: StructuredCase | undefined;
  const server: FakeOpenAiServer = await start({
    responder: (req) => {
      const isRepair = req.messages.some((m) => m.role === 'assistant');
      const r = isRepair ? current?.repair : current?.first;
      return { content: r?.text ?? '', finishReason: r?.shape === 'truncated' ? 'length' : 'stop' };
    },
  });
  // One attempt: a reply the client cannot read is an error to observe, not something to wait out.
  const services = createLlmServices({ env: {}, retry: { maxAttempts: 1 } });
  const client = new LlmClient('executor', { baseUrl: server.url, model: 'fake-model', maxConcurrency: 4 }, services);
  return {
    name: 'structured call',
    arbitrary: fc.record({ first: reply, repair: reply, mode: fc.constantFrom('json_schema' as const, 'prompt' as const) }),
    show: (c) => JSON.stringify({ mode: c.mode, first: c.first.text, repair: c.repair.text }),
    async check(c) {
      current = c;
      const out: Finding[] = [];
      try {
        const result = await callStructured(client, { messages: [{ role: 'user', content: 'Judge the rule.' }], schema: Verdict, schemaName: 'verdict', mode: c.mode }, { phase: 'fuzz' });
        if (result.ok && !Verdict.safeParse(result.value).success) out.push(finding('invalid-output', `ok value fails the schema: ${JSON.stringify(result.value)}`));
        const firstValid = (c.first.shape === 'bare' || c.first.shape === 'json-fence') && Verdict.safeParse(c.first.value).success;
        if (firstValid && !(result.ok && !result.repaired)) out.push(finding('wrong-value', 'a valid first reply was not accepted as is'));
        if (!result.ok && (!result.error.message || !['refusal', 'extract', 'validate'].includes(result.error.stage))) out.push(finding('invalid-output', `failure without a stage or message: ${JSON.stringify(result.error)}`));
      } catch (error) {
        if (!isLlmError(error)) throw error;
      }
      return out;
    },
    close: () => server.close(),
  };
}
