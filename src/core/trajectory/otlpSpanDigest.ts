/**
 * What the OTLP importer reads from one span: its role (model call, tool, agent, evaluator or mere
 * structure), the agent and round it names, the facts a step records, a tool's call and result, the
 * messages it was given and produced, its token counts, and the trace-level values a root may carry.
 *
 * Why a digest. A span's attributes are most of a trace file (prompts and answers as JSON text), and
 * holding them until the whole trace has been read made the garbage collector copy them from heap to
 * heap for the rest of the import. A digest reads everything while the span is fresh (`settle`, run as
 * each span is parsed) and then lets the raw span go, so only the decoded messages stay.
 *
 * Every value is the same pure function of the span the importer would otherwise call when it needs
 * it, and is computed at most once. If reading one fails, the raw span is kept and the value is read
 * again when the importer asks for it, so the failure surfaces at the same point as without a digest.
 */
import { ATTR, getAttr, getBoolean, getNumber, getString, parseMaybeJson, valueToText, type Attributes, type AttrValue } from './otlpAttributes';
import type { RawSpan } from './otlpSpan';
import { renderToolCall, spanInput, spanOutput, type ModelOutput, type ToolCall } from './otlpMessages';
import { STEP_KINDS, type Message, type StepKind } from './schema';

export type SpanRole = 'llm' | 'tool' | 'agent' | 'eval' | 'structure';

export interface StepUsage {
  in: number;
  out: number;
  total?: number;
}

/** A tool span's call (rendered as a tool_call step's output) and result. */
export interface ToolFields {
  name: string;
  callId: string | undefined;
  callText: string;
  resultText: string;
}

const LLM_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'completion', 'call_llm', 'responses']);
const AGENT_OPERATIONS = new Set(['invoke_agent', 'create_agent']);
const MESSAGE_EVENT_NAMES = new Set(['gen_ai.system.message', 'gen_ai.user.message', 'gen_ai.assistant.message', 'gen_ai.tool.message', 'gen_ai.choice', 'gen_ai.content.prompt', 'gen_ai.content.completion']);

function hasPrefixedKey(attrs: Attributes, prefixes: readonly string[]): boolean {
  for (const key of Object.keys(attrs)) if (prefixes.some((p) => key.startsWith(p))) return true;
  return false;
}

function classify(span: RawSpan): SpanRole {
  const a = span.attributes;
  const operation = getString(a, ATTR.operation)?.toLowerCase();
  const oiKind = getString(a, ATTR.openInferenceKind)?.toUpperCase();
  const tlKind = getString(a, ATTR.traceloopKind)?.toLowerCase();
  if (operation === 'execute_tool' || oiKind === 'TOOL' || oiKind === 'RETRIEVER' || tlKind === 'tool') return 'tool';
  if ((operation !== undefined && AGENT_OPERATIONS.has(operation)) || oiKind === 'AGENT' || tlKind === 'agent') return 'agent';
  if (oiKind === 'EVALUATOR' || operation === 'evaluate') return 'eval';
  if (operation !== undefined && LLM_OPERATIONS.has(operation)) return 'llm';
  if (oiKind === 'LLM' || getAttr(a, ATTR.llmRequestType) !== undefined) return 'llm';
  if (oiKind !== undefined || operation !== undefined) return 'structure';
  if (getAttr(a, ATTR.inputMessages) !== undefined || getAttr(a, ATTR.outputMessages) !== undefined) return 'llm';
  if (hasPrefixedKey(a, ['llm.input_messages.', 'llm.output_messages.', 'gen_ai.prompt.', 'gen_ai.completion.'])) return 'llm';
  if (span.events.some((e) => MESSAGE_EVENT_NAMES.has(e.name))) return 'llm';
  return 'structure';
}

/** The agent a span itself names, if any. */
function ownAgentName(span: RawSpan, role: SpanRole): string | undefined {
  const a = span.attributes;
  const explicit = getString(a, ATTR.truceAgentId) ?? getString(a, ATTR.agentName);
  if (explicit) return explicit;
  if (role !== 'agent') return undefined;
  const traceloopName = getString(a, ATTR.traceloopKind)?.toLowerCase() === 'agent' ? getString(a, ATTR.traceloopEntity) : undefined;
  // A graph node id names the agent where the span name does not: CrewAI's agent spans are called
  // "<role>._execute_core" and carry the bare role as graph.node.id.
  return getString(a, ATTR.agentId) ?? getString(a, ATTR.graphNodeId) ?? traceloopName ?? (agentNameFromSpanName(span.name) || undefined);
}

/** GenAI names agent spans "invoke_agent {name}"; some tools bracket the name. */
function agentNameFromSpanName(name: string): string {
  return name.replace(/^(invoke_agent|create_agent)\s*/, '').replace(/^\[(.*)\]$/, '$1').trim();
}

const ROUND_IN_NAME = /\b(?:round|iteration|turn)[\s_#:-]*(\d+)\b/i;

function integerOf(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function explicitRound(span: RawSpan): number | undefined {
  return integerOf(getNumber(span.attributes, ATTR.round));
}

function nativeRound(span: RawSpan): number | undefined {
  const direct = integerOf(getNumber(span.attributes, ATTR.nativeRound));
  if (direct !== undefined) return direct;
  const metadata = parseMaybeJson(span.attributes.metadata);
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const step = (metadata as Record<string, unknown>).langgraph_step;
    if (typeof step === 'number' && Number.isInteger(step) && step >= 0) return step;
  }
  const match = ROUND_IN_NAME.exec(span.name);
  return match ? Number(match[1]) : undefined;
}

/** A token count an exporter reported; absurd values (negative, beyond 2^53) are not counts. */
function tokenCount(value: number | undefined): number | undefined {
  return value === undefined || !(value >= 0) || value > Number.MAX_SAFE_INTEGER ? undefined : Math.round(value);
}

function usageOf(span: RawSpan): StepUsage {
  const attrs = span.attributes;
  const tokensIn = tokenCount(getNumber(attrs, ATTR.inputTokens));
  const tokensOut = tokenCount(getNumber(attrs, ATTR.outputTokens));
  const total = tokenCount(getNumber(attrs, ATTR.totalTokens));
  const usage: StepUsage = { in: tokensIn ?? 0, out: tokensOut ?? 0 };
  if (total !== undefined && (tokensIn === undefined || tokensOut === undefined)) usage.total = total;
  return usage;
}

function stepKindOverride(span: RawSpan): StepKind | undefined {
  const kind = getString(span.attributes, ATTR.truceStepKind);
  return kind && (STEP_KINDS as readonly string[]).includes(kind) ? (kind as StepKind) : undefined;
}

/** What a step made from this span records in its `attrs`. */
function spanFacts(span: RawSpan): Record<string, unknown> {
  const a = span.attributes;
  const facts: Record<string, unknown> = { spanId: span.spanId, spanName: span.name };
  const operation = getString(a, ATTR.operation);
  if (operation) facts.operation = operation;
  const model = getString(a, ATTR.responseModel) ?? getString(a, ATTR.requestModel);
  if (model) facts.model = model;
  const provider = getString(a, ATTR.provider);
  if (provider) facts.provider = provider;
  const finish = getAttr(a, ATTR.finishReasons);
  if (finish !== undefined) facts.finishReasons = finish;
  for (const [key, name] of [['gen_ai.usage.input_cost', 'costIn'], ['gen_ai.usage.output_cost', 'costOut']] as const) {
    const cost = getNumber(a, [key]);
    if (cost !== undefined) facts[name] = cost;
  }
  if (span.status && span.status.code === 'error') facts.status = { code: 'error', ...(span.status.message ? { message: span.status.message } : {}) };
  return facts;
}

function toolFields(span: RawSpan): ToolFields {
  const a = span.attributes;
  const name = getString(a, ATTR.toolName) ?? (getString(a, ATTR.traceloopKind) === 'tool' ? getString(a, ATTR.traceloopEntity) : undefined) ?? (span.name.replace(/^execute_tool\s*/, '') || 'tool');
  // A present id is never empty (getString skips empty values), so `|| undefined` only tidies the type.
  const callId = getString(a, ATTR.toolCallId) || undefined;
  const args = getAttr(a, ATTR.toolArguments) ?? getAttr(a, ATTR.inputValue);
  const resultValue = getAttr(a, ATTR.toolResult) ?? getAttr(a, ATTR.outputValue) ?? getAttr(a, ATTR.anyAgentOutput);
  const call: ToolCall = { name, ...(callId ? { id: callId } : {}), ...(args !== undefined ? { arguments: valueToText(args) } : {}) };
  return { name, callId, callText: renderToolCall(call), resultText: valueToText(resultValue) };
}

/** Marks a value not read yet (undefined is a value: most facts are optional). */
const UNREAD = Symbol('unread');

const enum Slot {
  role,
  ownAgent,
  explicitRound,
  nativeRound,
  override,
  facts,
  usage,
  declaredReads,
  outcomeScore,
  outcomeSuccess,
  inputValue,
  serviceName,
  runId,
  taskId,
  tool,
  input,
  output,
  count,
}

type Reader = (raw: RawSpan, digest: SpanDigest) => unknown;

/**
 * How each value is read, by slot (the type makes sure every slot has one). Module-level functions
 * rather than closures made per span: one call site sees the same few functions on every import.
 */
const READERS: { readonly [S in Exclude<Slot, Slot.count>]: Reader } = {
  [Slot.role]: classify,
  [Slot.ownAgent]: (raw, digest) => ownAgentName(raw, digest.role),
  [Slot.explicitRound]: explicitRound,
  [Slot.nativeRound]: nativeRound,
  [Slot.override]: stepKindOverride,
  [Slot.facts]: spanFacts,
  [Slot.usage]: usageOf,
  [Slot.declaredReads]: (raw) => getAttr(raw.attributes, ATTR.truceReads),
  [Slot.outcomeScore]: (raw) => getNumber(raw.attributes, ATTR.outcomeScore),
  [Slot.outcomeSuccess]: (raw) => getBoolean(raw.attributes, ATTR.outcomeSuccess),
  [Slot.inputValue]: (raw) => getString(raw.attributes, ATTR.inputValue),
  [Slot.serviceName]: (raw) => getString(raw.resource, ATTR.serviceName),
  [Slot.runId]: (raw) => getString(raw.attributes, ATTR.truceRunId),
  [Slot.taskId]: (raw) => getString(raw.attributes, ATTR.truceTaskId),
  [Slot.tool]: toolFields,
  [Slot.input]: spanInput,
  [Slot.output]: spanOutput,
};

/** The values every span may be asked for; `tool`, `input` and `output` depend on the role. */
const ALWAYS_READ = [Slot.role, Slot.ownAgent, Slot.explicitRound, Slot.nativeRound, Slot.override, Slot.facts, Slot.usage, Slot.declaredReads, Slot.outcomeScore, Slot.outcomeSuccess, Slot.inputValue, Slot.serviceName, Slot.runId, Slot.taskId];
const TOOL_READ = [Slot.tool];
const MESSAGES_READ = [Slot.input, Slot.output];

export class SpanDigest {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly links: ReadonlyArray<{ traceId: string; spanId: string }>;
  readonly order: number;
  readonly line: number | undefined;
  readonly path: string;
  /** The span as parsed, until every value has been read. */
  private raw: RawSpan | undefined;
  private readonly memo: unknown[] = new Array(Slot.count).fill(UNREAD);

  constructor(raw: RawSpan) {
    this.traceId = raw.traceId;
    this.spanId = raw.spanId;
    this.parentSpanId = raw.parentSpanId;
    this.name = raw.name;
    this.startMs = raw.startMs;
    this.endMs = raw.endMs;
    this.links = raw.links;
    this.order = raw.order;
    this.line = raw.line;
    this.path = raw.path;
    this.raw = raw;
  }

  /** Reads every value the importer may ask for; when all could be read, drops the raw span. */
  settle(): this {
    let complete = this.tryRead(ALWAYS_READ);
    if (complete) {
      // A tool span becomes a call and a result; any other span may become a step with messages,
      // except plain structure, which never becomes a step.
      if (this.role === 'tool') complete = this.tryRead(TOOL_READ);
      else if (this.role !== 'structure' || this.override !== undefined) complete = this.tryRead(MESSAGES_READ);
    }
    if (complete) this.raw = undefined;
    return this;
  }

  /** Reads the slots; false if any failed (it is then read again, and fails again, when asked for). */
  private tryRead(slots: readonly Slot[]): boolean {
    let ok = true;
    for (const slot of slots) {
      try {
        this.value(slot);
      } catch {
        ok = false;
      }
    }
    return ok;
  }

  private value(slot: Slot): unknown {
    const known = this.memo[slot];
    if (known !== UNREAD) return known;
    // `raw` is only dropped once every value the importer can ask for of this span has been read.
    if (!this.raw) throw new Error(`span ${this.spanId}: a value was asked for that was never read`);
    const value = READERS[slot as Exclude<Slot, Slot.count>](this.raw, this);
    this.memo[slot] = value;
    return value;
  }

  get role(): SpanRole {
    return this.value(Slot.role) as SpanRole;
  }

  get ownAgent(): string | undefined {
    return this.value(Slot.ownAgent) as string | undefined;
  }

  get explicitRound(): number | undefined {
    return this.value(Slot.explicitRound) as number | undefined;
  }

  get nativeRound(): number | undefined {
    return this.value(Slot.nativeRound) as number | undefined;
  }

  /** A step kind set outright with `truce.step.kind`. */
  get override(): StepKind | undefined {
    return this.value(Slot.override) as StepKind | undefined;
  }

  get facts(): Record<string, unknown> {
    return this.value(Slot.facts) as Record<string, unknown>;
  }

  get usage(): StepUsage {
    return this.value(Slot.usage) as StepUsage;
  }

  /** The `truce.reads` attribute as given. */
  get declaredReads(): AttrValue | undefined {
    return this.value(Slot.declaredReads) as AttrValue | undefined;
  }

  get tool(): ToolFields {
    return this.value(Slot.tool) as ToolFields;
  }

  get input(): Message[] | string | undefined {
    return this.value(Slot.input) as Message[] | string | undefined;
  }

  get output(): ModelOutput | undefined {
    return this.value(Slot.output) as ModelOutput | undefined;
  }

  get outcomeScore(): number | undefined {
    return this.value(Slot.outcomeScore) as number | undefined;
  }

  get outcomeSuccess(): boolean | undefined {
    return this.value(Slot.outcomeSuccess) as boolean | undefined;
  }

  /** Generic `input.value`: on a root span, the task. */
  get inputValue(): string | undefined {
    return this.value(Slot.inputValue) as string | undefined;
  }

  get serviceName(): string | undefined {
    return this.value(Slot.serviceName) as string | undefined;
  }

  get runId(): string | undefined {
    return this.value(Slot.runId) as string | undefined;
  }

  get taskId(): string | undefined {
    return this.value(Slot.taskId) as string | undefined;
  }
}
