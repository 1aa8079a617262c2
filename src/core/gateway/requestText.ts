/**
 * The text of a chat-completions request as the gateway needs it: each message's text (content
 * may be a string or an array of parts), the system prompt for telling agents apart, and a token
 * estimate for the budget before a call is sent and for a call whose usage never arrived.
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
  const messages = Array.isArray(body.messages) ? body.messages : [];
  return messages.map((m) => {
    const message = (m && typeof m === 'object' ? m : {}) as { role?: unknown; content?: unknown; tool_calls?: unknown };
    const toolCalls = message.tool_calls === undefined ? '' : JSON.stringify(message.tool_calls);
    return { role: typeof message.role === 'string' ? message.role : '', text: partsText(message.content) + toolCalls };
  });
}

/** The first system (or developer) message's text, where OpenAI-style clients put an agent's prompt. */
export function systemPromptOf(body: Record<string, unknown>): string | undefined {
  const first = messagesOf(body).find((m) => m.role === 'system' || m.role === 'developer');
  return first?.text;
}

export function estimateRequestTokens(body: Record<string, unknown>): number {
  let total = 0;
  for (const m of messagesOf(body)) total += estimateTokens(m.text) + PER_MESSAGE_OVERHEAD;
  if (body.tools !== undefined) total += estimateTokens(JSON.stringify(body.tools));
  return total;
}

/** The reply size the request allows, when it says (max_completion_tokens, else max_tokens). */
export function replyLimitOf(body: Record<string, unknown>): number | undefined {
  const limit = body.max_completion_tokens ?? body.max_tokens;
  return typeof limit === 'number' && Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

/** The text of a reply's choices (content and tool-call arguments), for estimating a cut-off reply. */
export function replyText(response: unknown): string {
  const choices = (response as { choices?: Array<{ message?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: unknown } }> } }> } | undefined)?.choices ?? [];
  let text = '';
  for (const c of choices) {
    if (typeof c.message?.content === 'string') text += c.message.content;
    for (const t of c.message?.tool_calls ?? []) if (typeof t.function?.arguments === 'string') text += t.function.arguments;
  }
  return text;
}
