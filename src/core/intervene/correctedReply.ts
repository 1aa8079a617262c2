/**
 * The blamed call's recorded reply with its content replaced by the correction: the same envelope
 * (id, model, finish reason; a chat completion or a Responses reply), so the MAS's SDK reads it as
 * it read the original. A reply that was a tool call keeps its tool and call id and gets the
 * corrected arguments. The usage is zero: the endpoint never produced this reply, and what writing
 * it cost is the correction call's, accounted there.
 */

export interface OriginalReply {
  /** The text the correction replaces (content, or the first tool call's arguments). */
  text: string;
  /** The tool the reply called, when it was a tool call without text. */
  toolName?: string;
}

type ChatMessage = { content?: unknown; tool_calls?: Array<{ function?: { name?: unknown; arguments?: unknown } }> };
type ResponsesItem = { type?: unknown; name?: unknown; arguments?: unknown; content?: Array<{ type?: unknown; text?: unknown }> };

export function originalReply(response: Record<string, unknown>): OriginalReply {
  const output = response.output;
  if (Array.isArray(output)) {
    const items = output as ResponsesItem[];
    const text = items.flatMap((i) => (Array.isArray(i.content) ? i.content : [])).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
    if (text !== '') return { text };
    const call = items.find((i) => i.type === 'function_call');
    return call ? { text: typeof call.arguments === 'string' ? call.arguments : '', ...(typeof call.name === 'string' ? { toolName: call.name } : {}) } : { text: '' };
  }
  const message = ((response.choices as Array<{ message?: ChatMessage }> | undefined)?.[0]?.message ?? {}) as ChatMessage;
  if (typeof message.content === 'string' && message.content !== '') return { text: message.content };
  const call = message.tool_calls?.[0]?.function;
  if (call) return { text: typeof call.arguments === 'string' ? call.arguments : '', ...(typeof call.name === 'string' ? { toolName: call.name } : {}) };
  return { text: typeof message.content === 'string' ? message.content : '' };
}

export function correctedReply(response: Record<string, unknown>, correction: string): Record<string, unknown> {
  const copy = structuredClone(response);
  const isTool = originalReply(response).toolName !== undefined;
  if (Array.isArray(copy.output)) {
    const items = copy.output as ResponsesItem[];
    if (isTool) {
      const call = items.find((i) => i.type === 'function_call') as ResponsesItem;
      call.arguments = correction;
    } else {
      let placed = false;
      for (const item of items) {
        for (const part of Array.isArray(item.content) ? item.content : []) {
          if (typeof part.text !== 'string') continue;
          part.text = placed ? '' : correction;
          placed = true;
        }
      }
      if (!placed) items.push({ type: 'message', content: [{ type: 'output_text', text: correction }] } as ResponsesItem);
    }
    if (typeof copy.output_text === 'string') copy.output_text = isTool ? '' : correction;
    if (copy.usage) copy.usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0 };
    return copy;
  }
  const choices = Array.isArray(copy.choices) ? (copy.choices as Array<{ message?: ChatMessage; finish_reason?: unknown }>) : [];
  const first = choices[0] ?? { message: { role: 'assistant' }, finish_reason: 'stop' };
  const message = (first.message ??= {}) as ChatMessage & { role?: string };
  if (isTool && message.tool_calls?.[0]?.function) message.tool_calls[0].function.arguments = correction;
  else {
    message.content = correction;
    delete message.tool_calls;
    first.finish_reason = 'stop';
  }
  copy.choices = [first];
  if (copy.usage) copy.usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  return copy;
}
