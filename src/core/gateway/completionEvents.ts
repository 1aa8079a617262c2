/**
 * A recorded chat completion served as a stream: when a replayed request asked for `stream: true`,
 * the client expects server-sent events, not a JSON body. The reply goes out as the chunks an
 * OpenAI-compatible server would send for it — the role and content, each tool call whole, the
 * finish reason, the usage chunk, then [DONE] — so the client's stream reader rebuilds the same reply.
 */
interface RecordedChoice {
  index?: number;
  message?: { role?: string; content?: string | null; tool_calls?: Array<{ id?: string; type?: string; function?: { name?: string; arguments?: string } }>; refusal?: string | null };
  finish_reason?: string | null;
  logprobs?: unknown;
}

export function completionAsEvents(response: Record<string, unknown>, includeUsage: boolean): string {
  const base = {
    id: typeof response.id === 'string' ? response.id : 'chatcmpl-replay',
    object: 'chat.completion.chunk',
    created: typeof response.created === 'number' ? response.created : 0,
    model: typeof response.model === 'string' ? response.model : '',
  };
  const events: unknown[] = [];
  const choices = (Array.isArray(response.choices) ? response.choices : []) as RecordedChoice[];
  for (const [position, choice] of choices.entries()) {
    const index = choice.index ?? position;
    const message = choice.message ?? {};
    const delta: Record<string, unknown> = { role: message.role ?? 'assistant' };
    if (typeof message.content === 'string') delta.content = message.content;
    if (message.refusal) delta.refusal = message.refusal;
    if (message.tool_calls?.length) delta.tool_calls = message.tool_calls.map((call, i) => ({ index: i, ...call }));
    events.push({ ...base, choices: [{ index, delta, finish_reason: null }] });
    events.push({ ...base, choices: [{ index, delta: {}, finish_reason: choice.finish_reason ?? 'stop' }] });
  }
  if (includeUsage && response.usage) events.push({ ...base, choices: [], usage: response.usage });
  return `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
}
