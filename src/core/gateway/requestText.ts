/**
 * The text of a request as the gateway needs it — chat completions (`messages`) or the Responses
 * API (`instructions`, `input`): each message's text (content may be a string or an array of
 * parts), the system prompt for telling agents apart, and a token estimate for the budget before a
 * call is sent and for a call whose usage never arrived.
 */
import { estimateTokens } from '../llm/tokens';

/** Roughly what chat templates add around each message (as llm/tokens.ts assumes). */
const PER_MESSAGE_OVERHEAD = 4;

function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
    .join('');
}

export function messagesOf(body: Record<string, unknown>): Array<{ role: string; text: string }> {
  // The Responses API takes `input` as one string or as a list of items (messages among them).
  if (typeof body.input === 'string') return [{ role: 'user', text: body.input }];
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  return messages.map((m) => {
    const message = (m && typeof m === 'object' ? m : {}) as { role?: unknown; content?: unknown; tool_calls?: unknown };
    const toolCalls = message.tool_calls === undefined ? '' : JSON.stringify(message.tool_calls);
    return { role: typeof message.role === 'string' ? message.role : '', text: partsText(message.content) + toolCalls };
  });
}

/** The first system (or developer) message's text, where OpenAI-style clients put an agent's prompt. */
export function systemPromptOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.instructions === 'string' && body.instructions.trim() !== '') return body.instructions;
  const first = messagesOf(body).find((m) => m.role === 'system' || m.role === 'developer');
  return first?.text;
}

export function estimateRequestTokens(body: Record<string, unknown>): number {
  let total = 0;
  for (const m of messagesOf(body)) total += estimateTokens(m.text) + PER_MESSAGE_OVERHEAD;
  if (typeof body.instructions === 'string') total += estimateTokens(body.instructions) + PER_MESSAGE_OVERHEAD;
  if (body.tools !== undefined) total += estimateTokens(JSON.stringify(body.tools));
  return total;
}

/** The reply size the request allows, when it says (max_completion_tokens, else max_tokens). */
export function replyLimitOf(body: Record<string, unknown>): number | undefined {
  const limit = body.max_completion_tokens ?? body.max_tokens ?? body.max_output_tokens;
  return typeof limit === 'number' && Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/**
 * The text of a reply — a chat completion's choices (content and tool-call arguments) or a
 * Responses reply's output items (text parts and function-call arguments).
 */
export function replyText(response: unknown): string {
  const output = (response as { output?: unknown } | undefined)?.output;
  if (Array.isArray(output)) {
    let text = '';
    for (const item of output as Array<{ content?: Array<{ text?: unknown }>; arguments?: unknown }>) {
      for (const part of Array.isArray(item?.content) ? item.content : []) if (typeof part?.text === 'string') text += part.text;
      if (typeof item?.arguments === 'string') text += item.arguments;
    }
    return text;
  }
  const choices = (response as { choices?: Array<{ message?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: unknown } }> } }> } | undefined)?.choices ?? [];
  let text = '';
  for (const c of choices) {
    if (typeof c.message?.content === 'string') text += c.message.content;
    for (const t of c.message?.tool_calls ?? []) if (typeof t.function?.arguments === 'string') text += t.function.arguments;
  }
  return text;
}
