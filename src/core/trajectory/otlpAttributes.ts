/**
 * Span attributes: decoding OTLP's typed `AnyValue` wrappers into plain values, and typed lookups
 * over the attribute names of the three conventions we read (OpenTelemetry GenAI `gen_ai.*`,
 * OpenInference, OpenLLMetry). Lookups take several names because the conventions renamed
 * attributes over time and exporters in the wild use every generation of them.
 */
import type { ImportIssue } from './importResult';

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** Attribute names, grouped by what they mean; the first name of each list is the current one. */
export const ATTR = {
  operation: ['gen_ai.operation.name'],
  openInferenceKind: ['openinference.span.kind'],
  traceloopKind: ['traceloop.span.kind'],
  traceloopEntity: ['traceloop.entity.name'],
  llmRequestType: ['llm.request.type'],
  agentName: ['gen_ai.agent.name', 'agent.name'],
  agentId: ['gen_ai.agent.id'],
  /** OpenInference's agent-graph node; CrewAI's instrumentation puts the agent's role here. */
  graphNodeId: ['graph.node.id'],
  requestModel: ['gen_ai.request.model', 'llm.model_name'],
  responseModel: ['gen_ai.response.model'],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'],
  inputTokens: ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt', 'llm.usage.prompt_tokens'],
  outputTokens: ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion', 'llm.usage.completion_tokens'],
  totalTokens: ['llm.usage.total_tokens', 'llm.token_count.total', 'gen_ai.usage.total_tokens'],
  finishReasons: ['gen_ai.response.finish_reasons'],
  inputMessages: ['gen_ai.input.messages'],
  outputMessages: ['gen_ai.output.messages'],
  systemInstructions: ['gen_ai.system_instructions'],
  inputValue: ['input.value', 'traceloop.entity.input'],
  outputValue: ['output.value', 'traceloop.entity.output'],
  /** mozilla-ai/any-agent records LLM and tool outputs under this non-standard name. */
  anyAgentOutput: ['gen_ai.output'],
  toolName: ['gen_ai.tool.name', 'tool.name'],
  toolCallId: ['gen_ai.tool.call.id', 'tool_call.id'],
  toolArguments: ['gen_ai.tool.call.arguments', 'gen_ai.tool.args'],
  toolResult: ['gen_ai.tool.call.result'],
  serviceName: ['service.name'],
  // Attributes a MAS can set to say exactly what TRUCE should record (no guessing needed).
  truceRunId: ['truce.run.id'],
  truceTaskId: ['truce.task.id'],
  truceAgentId: ['truce.agent.id'],
  truceStepKind: ['truce.step.kind'],
  truceReads: ['truce.reads'],
  round: ['truce.round', 'round'],
  /** Round-like counters frameworks record on their own ("native markers"). */
  nativeRound: ['iteration', 'turn', 'langgraph.step', 'gen_ai.round'],
  outcomeScore: ['truce.outcome.score'],
  outcomeSuccess: ['truce.outcome.success'],
} as const;

/** Decodes one OTLP/JSON `AnyValue` (`{stringValue}`, `{intValue}`, `{kvlistValue}`, …). */
/**
 * Text of a scalar that should have been a string. `String(x)` is not safe on parsed JSON: an
 * object with a "toString" key that is not a function makes it throw, so objects become JSON.
 */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return String(value);
}

export function decodeAnyValue(value: unknown): AttrValue {
  if (value === null || typeof value !== 'object') return (value ?? null) as AttrValue;
  const v = value as Record<string, unknown>;
  if ('stringValue' in v) return asText(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true || v.boolValue === 'true';
  if ('intValue' in v) return decodeInt(v.intValue);
  if ('doubleValue' in v) {
    const d = typeof v.doubleValue === 'number' ? v.doubleValue : typeof v.doubleValue === 'string' ? Number(v.doubleValue) : Number.NaN;
    return Number.isFinite(d) ? d : asText(v.doubleValue);
  }
  if ('arrayValue' in v) {
    const values = (v.arrayValue as { values?: unknown } | null)?.values;
    return Array.isArray(values) ? values.map(decodeAnyValue) : [];
  }
  if ('kvlistValue' in v) {
    const values = (v.kvlistValue as { values?: unknown } | null)?.values;
    return Array.isArray(values) ? decodeKeyValueList(values) : {};
  }
  // Binary payloads stay base64 text: there is nothing to show but the encoding.
  if ('bytesValue' in v) return asText(v.bytesValue);
  return null;
}

/** int64 travels as a decimal string in OTLP/JSON; it becomes a number when that is exact. */
function decodeInt(raw: unknown): AttrValue {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : raw;
  }
  return asText(raw);
}

function decodeKeyValueList(list: unknown[]): Attributes {
  const out: Attributes = {};
  for (const item of list) {
    if (item && typeof item === 'object' && typeof (item as { key?: unknown }).key === 'string') {
      out[(item as { key: string }).key] = decodeAnyValue((item as { value?: unknown }).value);
    }
  }
  return out;
}

/** OTLP `KeyValue[]` to a plain map; malformed entries become issues at their path. */
export function decodeKeyValues(list: unknown, path: string, issues: ImportIssue[], line?: number): Attributes {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) {
    issues.push({ message: 'attributes must be a list of {key, value}', path, ...(line !== undefined ? { line } : {}) });
    return {};
  }
  const out: Attributes = {};
  // A plain loop: this runs for every span, and a callback made per call is a new function each time.
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (!item || typeof item !== 'object' || typeof (item as { key?: unknown }).key !== 'string') {
      issues.push({ message: 'attribute without a string key was skipped', path: `${path}[${i}]`, ...(line !== undefined ? { line } : {}) });
      continue;
    }
    out[(item as { key: string }).key] = decodeAnyValue((item as { value?: unknown }).value);
  }
  return out;
}

/** SDK-style span JSON already carries plain values; only nested objects need copying as-is. */
export function plainAttributes(value: unknown): Attributes {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  return { ...(value as Attributes) };
}

export function getAttr(attrs: Attributes, names: readonly string[]): AttrValue | undefined {
  for (const name of names) {
    const v = attrs[name];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

export function getString(attrs: Attributes, names: readonly string[]): string | undefined {
  const v = getAttr(attrs, names);
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

export function getNumber(attrs: Attributes, names: readonly string[]): number | undefined {
  const v = getAttr(attrs, names);
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function getBoolean(attrs: Attributes, names: readonly string[]): boolean | undefined {
  const v = getAttr(attrs, names);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  return undefined;
}

/**
 * Attribute values that hold JSON text (`gen_ai.input.messages` is specified as a JSON string,
 * though some exporters send structured values) come back parsed; other values unchanged.
 */
export function parseMaybeJson(value: AttrValue | undefined): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!(trimmed.startsWith('[') || trimmed.startsWith('{'))) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/**
 * Rebuilds flattened lists: with prefix `llm.input_messages`, the keys
 * `llm.input_messages.0.message.role` and `llm.input_messages.0.message.content` become
 * `[{ 'message.role': …, 'message.content': … }]`, ordered by index (gaps are dropped).
 */
export function indexedGroups(attrs: Attributes, prefix: string): Attributes[] {
  const start = prefix + '.';
  const byIndex = new Map<number, Attributes>();
  for (const key of Object.keys(attrs)) {
    if (!key.startsWith(start)) continue;
    const rest = key.slice(start.length);
    const dot = rest.indexOf('.');
    const indexText = dot === -1 ? rest : rest.slice(0, dot);
    if (!/^\d+$/.test(indexText)) continue;
    const index = Number(indexText);
    let group = byIndex.get(index);
    if (!group) {
      group = {};
      byIndex.set(index, group);
    }
    group[dot === -1 ? '' : rest.slice(dot + 1)] = attrs[key] as AttrValue;
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, group]) => group);
}

/** Renders any attribute value as text for a step's input or output. */
export function valueToText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
