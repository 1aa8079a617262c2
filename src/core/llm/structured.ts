/**
 * zod-typed calls. Where the endpoint honours `response_format: json_schema` the schema goes
 * there; elsewhere it goes into the instructions and the JSON is extracted from whatever the model
 * wrote. Either way a reply that fails extraction or validation gets exactly one repair request
 * (the problem sent back). If that fails too, the caller gets a failure value to record — never a
 * guessed or defaulted object. Transport problems (budget, cancellation, dead server) still throw.
 */
import type { z } from 'zod';
import { supportsJsonSchema } from './capabilities';
import type { LlmClient } from './client';
import { extractJson } from './extractJson';
import { toResponseFormat } from './jsonSchema';
import type { CallContext, ChatMessage, ChatRequest, ChatResult, JsonSchemaFormat } from './types';

export type StructuredMode = 'auto' | 'json_schema' | 'prompt';

export interface StructuredRequest<T> extends Omit<ChatRequest, 'responseFormat'> {
  schema: z.ZodType<T>;
  /** Names the schema for the API (sanitised to ^[A-Za-z0-9_-]{1,64}$). */
  schemaName: string;
  schemaDescription?: string;
  /** Overrides the endpoint's `structuredOutput` setting. */
  mode?: StructuredMode;
}

export interface StructuredFailure {
  kind: 'invalid-output';
  /** What was wrong with the last reply. */
  stage: 'refusal' | 'extract' | 'validate';
  message: string;
  /** zod issues as "path: message" lines (validation stage only). */
  issues: string[];
  schemaName: string;
  /** The first reply, verbatim. */
  raw: string;
  /** The reply to the repair request, verbatim. */
  repairRaw?: string;
}

interface Outcome {
  mode: 'json_schema' | 'prompt';
  /** Every chat call made: the first, and the repair if there was one. */
  calls: ChatResult[];
}

export type StructuredResult<T> =
  | ({ ok: true; value: T; repaired: boolean } & Outcome)
  | ({ ok: false; error: StructuredFailure } & Outcome);

export async function callStructured<T>(
  client: LlmClient,
  request: StructuredRequest<T>,
  context: CallContext,
): Promise<StructuredResult<T>> {
  const { schema, schemaName, schemaDescription, mode: requested, ...chat } = request;
  const format = toResponseFormat(schema, schemaName, schemaDescription);
  const mode = await chooseMode(client, requested ?? client.settings.structuredOutput ?? 'auto', context.signal);
  const messages = mode === 'prompt' ? withJsonInstructions(chat.messages, format) : chat.messages;
  const responseFormat = mode === 'json_schema' ? format : undefined;
  const ask = (msgs: ChatMessage[], ctx: CallContext) =>
    client.chat({ ...chat, messages: msgs, ...(responseFormat ? { responseFormat } : {}) }, ctx);

  const first = await ask(messages, context);
  const firstCheck = check(first, schema);
  if (firstCheck.ok) return { ok: true, value: firstCheck.value, repaired: false, mode, calls: [first] };

  const repairMessages: ChatMessage[] = [
    ...messages,
    { role: 'assistant', content: first.content },
    { role: 'user', content: repairInstruction(firstCheck) },
  ];
  const second = await ask(repairMessages, { ...context, purpose: 'repair' });
  const secondCheck = check(second, schema);
  if (secondCheck.ok) return { ok: true, value: secondCheck.value, repaired: true, mode, calls: [first, second] };
  return {
    ok: false,
    mode,
    calls: [first, second],
    error: {
      kind: 'invalid-output',
      stage: secondCheck.stage,
      message: secondCheck.message,
      issues: secondCheck.issues,
      schemaName: format.name,
      raw: first.content,
      repairRaw: second.content,
    },
  };
}

async function chooseMode(client: LlmClient, mode: StructuredMode, signal?: AbortSignal): Promise<'json_schema' | 'prompt'> {
  if (mode !== 'auto') return mode;
  return (await supportsJsonSchema(client, signal)) ? 'json_schema' : 'prompt';
}

type Check<T> = { ok: true; value: T } | { ok: false; stage: StructuredFailure['stage']; message: string; issues: string[] };

function check<T>(reply: ChatResult, schema: z.ZodType<T>): Check<T> {
  if (reply.refusal !== undefined && !reply.content.trim()) {
    return { ok: false, stage: 'refusal', message: `The model refused: ${reply.refusal}`, issues: [] };
  }
  const extracted = extractJson(reply.content);
  if (!extracted.ok) {
    const cutOff = reply.finishReason === 'length' ? ' The reply stopped at the token limit; answer more briefly.' : '';
    return { ok: false, stage: 'extract', message: extracted.message + cutOff, issues: [] };
  }
  const parsed = schema.safeParse(extracted.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`);
  return { ok: false, stage: 'validate', message: 'The JSON does not match the schema.', issues };
}

/** Listed issues are capped so a wildly wrong reply does not blow up the repair prompt. */
const MAX_ISSUES_SENT = 12;

function repairInstruction(failed: Extract<Check<unknown>, { ok: false }>): string {
  const lines = [`Your previous reply could not be used. ${failed.message}`];
  if (failed.issues.length) {
    lines.push('Problems:', ...failed.issues.slice(0, MAX_ISSUES_SENT).map((i) => `- ${i}`));
  }
  lines.push('Send the corrected answer again as a single JSON object that satisfies the schema, with no other text.');
  return lines.join('\n');
}

/**
 * Instructions go into the first system message (or a new one at the top) rather than a second
 * system message: several local chat templates accept only one, and only first.
 */
export function withJsonInstructions(messages: readonly ChatMessage[], format: JsonSchemaFormat): ChatMessage[] {
  const instruction =
    `Answer with one JSON object and nothing else: no explanation before or after it and no code fence. ` +
    `It must satisfy this JSON Schema (named "${format.name}"):\n${JSON.stringify(format.schema)}`;
  const out = messages.map((m) => ({ ...m }));
  const system = out.find((m) => m.role === 'system');
  if (system && out[0] === system) system.content = `${system.content}\n\n${instruction}`;
  else out.unshift({ role: 'system', content: instruction });
  return out;
}

