/**
 * What a span sent to and got back from a model, whichever convention recorded it. Sources are
 * tried newest convention first, because a span instrumented twice tends to carry both and the
 * newer form is the more complete one:
 *   1. OTel GenAI `gen_ai.input.messages` / `gen_ai.output.messages` (JSON, `parts` per message);
 *   2. OpenInference `llm.input_messages.N.message.*` / `llm.output_messages.N.message.*`;
 *   3. OpenLLMetry `gen_ai.prompt.N.*` / `gen_ai.completion.N.*`;
 *   4. span events: the older per-message GenAI events (`gen_ai.user.message`, `gen_ai.choice`, …),
 *      `gen_ai.content.prompt` / `gen_ai.content.completion`, and the inference-details event;
 *   5. the generic `input.value` / `output.value` (and OpenLLMetry's entity input/output).
 * Tool calls inside messages are rendered into the text so that nothing a reader needs is lost.
 */
import type { Message } from './schema';
import { ATTR, getAttr, indexedGroups, parseMaybeJson, valueToText, type AttrValue, type Attributes } from './otlpAttributes';
import type { RawSpan, SpanEvent } from './otlpSpan';

export interface ToolCall {
  id?: string;
  name: string;
  arguments?: string;
}

export interface ModelOutput {
  text: string;
  toolCalls: ToolCall[];
}

export function renderToolCall(call: ToolCall): string {
  return `[tool_call ${call.name}${call.id ? ` #${call.id}` : ''}] ${call.arguments ?? ''}`.trimEnd();
}

function renderToolResult(id: string | undefined, response: unknown): string {
  return `[tool_result${id ? ` #${id}` : ''}] ${valueToText(response)}`;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Text of an OpenAI-style `content` (string or list of typed parts). */
function contentText(content: unknown, calls: ToolCall[]): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => partText(part, calls)).filter((t) => t !== '').join('\n');
  return valueToText(content);
}

/** One message part, GenAI (`type` + `content`) or OpenAI (`type` + `text`) style. */
function partText(part: unknown, calls: ToolCall[]): string {
  if (typeof part === 'string') return part;
  const p = asRecord(part);
  if (!p) return valueToText(part);
  const type = str(p.type) ?? 'text';
  if (type === 'tool_call' || type === 'function_call') {
    const call: ToolCall = {
      name: str(p.name) ?? 'tool',
      ...(str(p.id) ?? str(p.call_id) ? { id: (str(p.id) ?? str(p.call_id)) as string } : {}),
      ...(p.arguments !== undefined ? { arguments: valueToText(p.arguments) } : {}),
    };
    calls.push(call);
    return renderToolCall(call);
  }
  if (type === 'tool_call_response' || type === 'function_call_output' || type === 'tool_result') {
    return renderToolResult(str(p.id) ?? str(p.call_id), p.response ?? p.output ?? p.content);
  }
  const text = p.content ?? p.text;
  if (typeof text === 'string') return text;
  // Media parts (blob, uri, image_url…) have no text; keep a marker so the reader knows.
  return `[${type}]`;
}

function openAiToolCalls(value: unknown, calls: ToolCall[]): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((tc) => {
    const t = asRecord(tc) ?? {};
    const fn = asRecord(t.function) ?? t;
    const call: ToolCall = {
      name: str(fn.name) ?? 'tool',
      ...(str(t.id) ? { id: str(t.id) as string } : {}),
      ...(fn.arguments !== undefined ? { arguments: valueToText(fn.arguments) } : {}),
    };
    calls.push(call);
    return renderToolCall(call);
  });
}

/** A message in either GenAI `parts` form or OpenAI `content` form. */
export function normalizeMessage(raw: unknown, defaultRole: string, calls: ToolCall[] = []): Message | undefined {
  if (typeof raw === 'string') return { role: defaultRole, content: raw };
  const m = asRecord(raw);
  if (!m) return undefined;
  const role = str(m.role) ?? defaultRole;
  const pieces: string[] = [];
  if (Array.isArray(m.parts)) pieces.push(...m.parts.map((part) => partText(part, calls)).filter((t) => t !== ''));
  else if (m.content !== undefined) pieces.push(contentText(m.content, calls));
  pieces.push(...openAiToolCalls(m.tool_calls, calls));
  const name = str(m.name);
  return { role, content: pieces.filter((t) => t !== '').join('\n'), ...(name ? { name } : {}) };
}

function messagesFromJson(value: AttrValue | undefined, defaultRole: string, calls: ToolCall[] = []): Message[] | undefined {
  if (value === undefined) return undefined;
  const parsed = parseMaybeJson(value);
  const list = Array.isArray(parsed) ? parsed : asRecord(parsed) && Array.isArray(asRecord(parsed)?.messages) ? (asRecord(parsed)?.messages as unknown[]) : [parsed];
  const out = list.map((m) => normalizeMessage(m, defaultRole, calls)).filter((m): m is Message => m !== undefined);
  return out.length > 0 ? out : undefined;
}

/** OpenInference: `message.role`, `message.content`, `message.contents.N.message_content.text`, `message.tool_calls.N.tool_call.function.*`. */
function openInferenceMessages(attrs: Attributes, prefix: string, defaultRole: string, calls: ToolCall[]): Message[] | undefined {
  const groups = indexedGroups(attrs, prefix);
  if (groups.length === 0) return undefined;
  return groups.map((g) => {
    const pieces: string[] = [];
    if (g['message.content'] !== undefined) pieces.push(valueToText(g['message.content']));
    for (const c of indexedGroups(g, 'message.contents')) {
      const text = c['message_content.text'];
      pieces.push(text !== undefined ? valueToText(text) : `[${valueToText(c['message_content.type'] ?? 'content')}]`);
    }
    for (const tc of indexedGroups(g, 'message.tool_calls')) {
      const call: ToolCall = {
        name: valueToText(tc['tool_call.function.name'] ?? 'tool'),
        ...(tc['tool_call.id'] !== undefined ? { id: valueToText(tc['tool_call.id']) } : {}),
        ...(tc['tool_call.function.arguments'] !== undefined ? { arguments: valueToText(tc['tool_call.function.arguments']) } : {}),
      };
      calls.push(call);
      pieces.push(renderToolCall(call));
    }
    const name = g['message.name'];
    return { role: valueToText(g['message.role'] ?? defaultRole), content: pieces.join('\n'), ...(typeof name === 'string' ? { name } : {}) };
  });
}

/** OpenLLMetry: `gen_ai.prompt.N.role`, `.content`, `.tool_calls.K.name` / `.arguments` / `.id`. */
function openLlmetryMessages(attrs: Attributes, prefix: string, defaultRole: string, calls: ToolCall[]): Message[] | undefined {
  const groups = indexedGroups(attrs, prefix);
  if (groups.length === 0) return undefined;
  return groups.map((g) => {
    const pieces: string[] = [];
    if (g.content !== undefined) pieces.push(contentText(parseMaybeJsonContent(g.content), calls));
    for (const tc of indexedGroups(g, 'tool_calls')) {
      const call: ToolCall = {
        name: valueToText(tc.name ?? 'tool'),
        ...(tc.id !== undefined ? { id: valueToText(tc.id) } : {}),
        ...(tc.arguments !== undefined ? { arguments: valueToText(tc.arguments) } : {}),
      };
      calls.push(call);
      pieces.push(renderToolCall(call));
    }
    return { role: valueToText(g.role ?? defaultRole), content: pieces.filter((t) => t !== '').join('\n') };
  });
}

/** OpenLLMetry sometimes stores a list of content parts as JSON text in `content`. */
function parseMaybeJsonContent(value: AttrValue): unknown {
  const parsed = parseMaybeJson(value);
  return Array.isArray(parsed) ? parsed : value;
}

const MESSAGE_EVENT_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/** Event name, or the `event.name` attribute some SDKs use when the event itself is generic. */
function eventName(event: SpanEvent): string {
  const attrName = event.attributes['event.name'];
  return typeof attrName === 'string' && attrName ? attrName : event.name;
}

function eventInputMessages(events: SpanEvent[], calls: ToolCall[]): Message[] | undefined {
  const out: Message[] = [];
  for (const event of events) {
    const name = eventName(event);
    const role = MESSAGE_EVENT_ROLES[name];
    if (role) {
      const a = event.attributes;
      const body = asRecord(parseMaybeJson(a.message as AttrValue)) ?? { ...a, role: a.role ?? role, content: parseMaybeJsonContent((a.content ?? '') as AttrValue) };
      const m = normalizeMessage(body, role, calls);
      if (m) out.push(m);
    } else if (name === 'gen_ai.content.prompt') {
      out.push(...(messagesFromJson(event.attributes['gen_ai.prompt'], 'user', calls) ?? []));
    } else if (name === 'gen_ai.client.inference.operation.details') {
      out.push(...(messagesFromJson(getAttr(event.attributes, ATTR.inputMessages), 'user', calls) ?? []));
    }
  }
  return out.length > 0 ? out : undefined;
}

function eventOutputMessages(events: SpanEvent[], calls: ToolCall[]): Message[] | undefined {
  const out: Message[] = [];
  for (const event of events) {
    const name = eventName(event);
    if (name === 'gen_ai.choice') {
      const a = event.attributes;
      const body = asRecord(parseMaybeJson(a.message as AttrValue)) ?? { role: 'assistant', content: parseMaybeJsonContent((a.content ?? '') as AttrValue), tool_calls: parseMaybeJson(a.tool_calls as AttrValue) };
      const m = normalizeMessage(body, 'assistant', calls);
      if (m) out.push(m);
    } else if (name === 'gen_ai.content.completion') {
      out.push(...(messagesFromJson(event.attributes['gen_ai.completion'], 'assistant', calls) ?? []));
    } else if (name === 'gen_ai.client.inference.operation.details') {
      out.push(...(messagesFromJson(getAttr(event.attributes, ATTR.outputMessages), 'assistant', calls) ?? []));
    }
  }
  return out.length > 0 ? out : undefined;
}

/** `gen_ai.system_instructions` holds the system prompt outside the message list in newer semconv. */
function systemInstructions(attrs: Attributes): Message[] {
  const value = getAttr(attrs, ATTR.systemInstructions);
  if (value === undefined) return [];
  const parsed = parseMaybeJson(value);
  const text = Array.isArray(parsed) ? parsed.map((p) => partText(p, [])).join('\n') : valueToText(parsed);
  return text ? [{ role: 'system', content: text }] : [];
}

/** The messages a model span was given, or the generic input text; undefined when nothing was recorded. */
export function spanInput(span: RawSpan): Message[] | string | undefined {
  const attrs = span.attributes;
  const calls: ToolCall[] = [];
  const messages =
    messagesFromJson(getAttr(attrs, ATTR.inputMessages), 'user', calls) ??
    openInferenceMessages(attrs, 'llm.input_messages', 'user', calls) ??
    openLlmetryMessages(attrs, 'gen_ai.prompt', 'user', calls) ??
    eventInputMessages(span.events, calls);
  if (messages) return [...systemInstructions(attrs), ...messages];
  const value = getAttr(attrs, ATTR.inputValue);
  if (value === undefined) return undefined;
  const parsed = parseMaybeJson(value);
  const embedded = asRecord(parsed)?.messages;
  if (Array.isArray(embedded)) return messagesFromJson(embedded as AttrValue, 'user', calls);
  return valueToText(value);
}

/** What a model span produced: the assistant text (tool calls rendered in) plus the tool calls. */
export function spanOutput(span: RawSpan): ModelOutput | undefined {
  const attrs = span.attributes;
  const calls: ToolCall[] = [];
  const messages =
    messagesFromJson(getAttr(attrs, ATTR.outputMessages), 'assistant', calls) ??
    openInferenceMessages(attrs, 'llm.output_messages', 'assistant', calls) ??
    openLlmetryMessages(attrs, 'gen_ai.completion', 'assistant', calls) ??
    eventOutputMessages(span.events, calls);
  if (messages) return { text: messages.map((m) => m.content).filter((t) => t !== '').join('\n'), toolCalls: calls };
  const value = getAttr(attrs, ATTR.outputValue);
  if (value !== undefined) return { text: valueToText(value), toolCalls: [] };
  const anyAgent = getAttr(attrs, ATTR.anyAgentOutput);
  if (anyAgent !== undefined) return anyAgentOutput(anyAgent);
  return undefined;
}

/** any-agent writes tool requests as `[{"tool.name": …, "tool.args": …}]` in `gen_ai.output`. */
function anyAgentOutput(value: AttrValue): ModelOutput {
  const parsed = parseMaybeJson(value);
  if (Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => asRecord(item) && typeof asRecord(item)?.['tool.name'] === 'string')) {
    const calls = parsed.map((item) => {
      const r = asRecord(item) as Record<string, unknown>;
      return { name: r['tool.name'] as string, ...(r['tool.args'] !== undefined ? { arguments: valueToText(r['tool.args']) } : {}) };
    });
    return { text: calls.map(renderToolCall).join('\n'), toolCalls: calls };
  }
  return { text: valueToText(value), toolCalls: [] };
}

