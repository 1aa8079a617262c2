/**
 * Puts a streamed chat completion back together from its server-sent events, so a streamed call
 * is recorded (and accounted) like any other: the text and tool calls of each choice, the finish
 * reason and the usage the last chunk carries when the request asked for it.
 */
import { SseDataReader } from './sseData';

interface ToolCallPart {
  index: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface ChoiceState {
  index: number;
  role: string;
  content: string;
  toolCalls: Map<number, { id?: string; type: string; function: { name: string; arguments: string } }>;
  finishReason: string | null;
}

export class StreamAssembler {
  private readonly sse = new SseDataReader();
  private readonly choices = new Map<number, ChoiceState>();
  private id?: string;
  private model?: string;
  private created?: number;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens?: number };
  done = false;

  /** Feeds raw bytes of the event stream as they arrive (events may be split anywhere). */
  push(text: string): void {
    for (const data of this.sse.push(text)) this.event(data);
  }

  private event(data: string): void {
    if (data === '[DONE]') {
      this.done = true;
      return;
    }
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return; // a malformed event is the upstream's fault; the client sees it as it came
    }
    if (typeof chunk.id === 'string') this.id ??= chunk.id;
    if (typeof chunk.model === 'string') this.model ??= chunk.model;
    if (typeof chunk.created === 'number') this.created ??= chunk.created;
    const usage = chunk.usage as { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined;
    if (usage && typeof usage.prompt_tokens === 'number') {
      this.usage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens ?? 0, ...(typeof usage.total_tokens === 'number' ? { total_tokens: usage.total_tokens } : {}) };
    }
    for (const c of (Array.isArray(chunk.choices) ? chunk.choices : []) as Array<Record<string, unknown>>) {
      const index = typeof c.index === 'number' ? c.index : 0;
      const state = this.choices.get(index) ?? { index, role: 'assistant', content: '', toolCalls: new Map(), finishReason: null };
      const delta = (c.delta ?? {}) as { role?: string; content?: string | null; tool_calls?: ToolCallPart[] };
      if (delta.role) state.role = delta.role;
      if (typeof delta.content === 'string') state.content += delta.content;
      for (const part of delta.tool_calls ?? []) {
        const call = state.toolCalls.get(part.index) ?? { type: 'function', function: { name: '', arguments: '' } };
        if (part.id) call.id = part.id;
        if (part.type) call.type = part.type;
        if (part.function?.name) call.function.name += part.function.name;
        if (part.function?.arguments) call.function.arguments += part.function.arguments;
        state.toolCalls.set(part.index, call);
      }
      if (typeof c.finish_reason === 'string') state.finishReason = c.finish_reason;
      this.choices.set(index, state);
    }
  }

  /** The reply in the non-streaming shape. */
  result(): Record<string, unknown> {
    return {
      ...(this.id ? { id: this.id } : {}),
      object: 'chat.completion',
      ...(this.created !== undefined ? { created: this.created } : {}),
      ...(this.model ? { model: this.model } : {}),
      choices: [...this.choices.values()]
        .sort((a, b) => a.index - b.index)
        .map((c) => ({
          index: c.index,
          message: {
            role: c.role,
            content: c.content || (c.toolCalls.size ? null : ''),
            ...(c.toolCalls.size ? { tool_calls: [...c.toolCalls.entries()].sort(([a], [b]) => a - b).map(([, t]) => t) } : {}),
          },
          finish_reason: c.finishReason,
        })),
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }
}
