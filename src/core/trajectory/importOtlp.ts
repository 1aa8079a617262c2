/**
 * OTLP traces → trajectories, one per trace.
 *
 * Steps. A model call (GenAI chat/completion span, OpenInference LLM span, OpenLLMetry LLM span)
 * is an `llm` step; when model spans are nested (a framework span around an SDK span, both
 * instrumented) only the innermost counts, so one call is one step. A tool span becomes a
 * `tool_call` (what was asked) and a `tool_result` (what came back). An agent span with no steps
 * below it is itself a `message` step, for frameworks that record only agent-level input/output.
 * Other spans (chains, workflows, HTTP) are structure: they order and group steps but are not steps.
 *
 * Agents. A step belongs to the agent named on its own span, else to the nearest enclosing agent
 * span, else to the service that emitted it.
 *
 * Reads (the agent-graph edges), from the most to the least explicit evidence:
 *  1. `truce.reads` and span links name their sources outright;
 *  2. a tool result reads its own call; a tool call reads the model step that requested it (same
 *     tool call id, else the latest earlier model step of the same agent that named the tool);
 *  3. a step nested inside another step's span reads that step (a tool run inside a model call, a
 *     model call inside a tool that wraps an agent);
 *  4. sequence: a step reads what happened just before it at its own level of the call tree. Going
 *     up from the step's span, take the first level where earlier siblings (over before this span
 *     started) hold steps. The anchor is the nearest of them in which an agent spoke (else simply
 *     the nearest). The step reads the final step of the anchor, of the siblings after it (its
 *     tool traffic), and of the siblings still running when the anchor started (branches parallel
 *     to it, so a fan-in reads every branch). Siblings overlapping this span are not read: they ran
 *     in parallel with it. A step that opens an agent's work thus reads what the previous agent
 *     ended with. At most SIBLING_LOOKBACK siblings are examined per step;
 *  5. message flow: a step reads the most recent earlier steps whose output text appears in its
 *     input (see readsByContent.ts). This finds context passed around the call tree.
 * Only earlier steps are ever read, so the graph is acyclic.
 *
 * Rounds. An explicit `truce.round` / `round` attribute on the span or an ancestor wins; then native
 * markers (`iteration`, `turn`, `langgraph.step`, LangGraph metadata, ancestor spans named
 * "round 3"/"iteration 3"); otherwise the speaker-repeat heuristic of rounds.ts over model calls.
 */
import { acceptBuilt, type ImportIssue, type ImportResult } from './importResult';
import { ATTR, getAttr, getBoolean, getNumber, getString, parseMaybeJson, valueToText, type Attributes } from './otlpAttributes';
import { parseOtlpText, type RawSpan } from './otlpEnvelope';
import { inputText, spanInput, spanOutput, renderToolCall, type ToolCall } from './otlpMessages';
import { readsByContent } from './readsByContent';
import { totalUsage } from './usage';
import { fillRoundGaps, roundsBySpeakerRepeat } from './rounds';
import { STEP_KINDS, type Agent, type Message, type Round, type Step, type StepKind, type Trajectory } from './schema';

export interface OtlpImportOptions {
  /** File name for provenance (`attrs.source`). */
  source?: string;
}

type SpanRole = 'llm' | 'tool' | 'agent' | 'eval' | 'structure';

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
  return getString(a, ATTR.agentId) ?? traceloopName ?? (agentNameFromSpanName(span.name) || undefined);
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

interface Draft {
  id: string;
  span: RawSpan;
  kind: StepKind;
  agentId: string;
  input?: Message[] | string;
  output: string;
  usage: { in: number; out: number; total?: number };
  tStart?: number;
  tEnd?: number;
  attrs: Record<string, unknown>;
  toolCalls: ToolCall[];
  toolName?: string;
  callId?: string;
  /** 0 for a tool call, 1 for its result: keeps the pair in order when times tie. */
  sub: number;
  round?: number;
  seq: number;
}

const SPEAKING_KINDS = new Set<StepKind>(['llm', 'message', 'handoff', 'aggregate']);
/** Earlier siblings examined per step: bounds the cost on flat traces; a fan-in wider than this is cut at its nearest branches. */
const SIBLING_LOOKBACK = 256;

/** A token count an exporter reported; absurd values (negative, beyond 2^53) are not counts. */
function tokenCount(value: number | undefined): number | undefined {
  return value === undefined || !(value >= 0) || value > Number.MAX_SAFE_INTEGER ? undefined : Math.round(value);
}

function usageOf(attrs: Attributes): Draft['usage'] {
  const tokensIn = tokenCount(getNumber(attrs, ATTR.inputTokens));
  const tokensOut = tokenCount(getNumber(attrs, ATTR.outputTokens));
  const total = tokenCount(getNumber(attrs, ATTR.totalTokens));
  const usage: Draft['usage'] = { in: tokensIn ?? 0, out: tokensOut ?? 0 };
  if (total !== undefined && (tokensIn === undefined || tokensOut === undefined)) usage.total = total;
  return usage;
}

function stepKindOverride(span: RawSpan): StepKind | undefined {
  const kind = getString(span.attributes, ATTR.truceStepKind);
  return kind && (STEP_KINDS as readonly string[]).includes(kind) ? (kind as StepKind) : undefined;
}

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

export function importOtlpText(text: string, options: OtlpImportOptions = {}): ImportResult {
  const parsed = parseOtlpText(text);
  const result: ImportResult = { trajectories: [], errors: [...parsed.errors] };
  const traces = new Map<string, RawSpan[]>();
  const seen = new Set<string>();
  for (const span of parsed.spans) {
    const key = `${span.traceId}/${span.spanId}`;
    if (seen.has(key)) {
      result.errors.push({ message: `duplicate span ${span.spanId} in trace ${span.traceId} was skipped`, path: span.path, ...(span.line !== undefined ? { line: span.line } : {}) });
      continue;
    }
    seen.add(key);
    const list = traces.get(span.traceId) ?? [];
    list.push(span);
    traces.set(span.traceId, list);
  }
  for (const [traceId, spans] of traces) {
    const finalOutput = parsed.finalOutputs.get(traceId) ?? (traces.size === 1 ? parsed.finalOutputs.get('') : undefined);
    const where = { path: spans[0]?.path, ...(spans[0]?.line !== undefined ? { line: spans[0].line } : {}) };
    try {
      const built = buildTrajectory(traceId, spans, finalOutput, options, result.errors);
      if (built) acceptBuilt(built, result, where);
    } catch (error) {
      // The importer contract is to never throw; an unforeseen shape costs this trace only.
      result.errors.push({ message: `trace ${traceId} could not be assembled: ${(error as Error).message}`, ...where });
    }
  }
  if (parsed.spans.length === 0 && result.errors.length === 0) result.errors.push({ message: 'no spans found' });
  return result;
}

function buildTrajectory(traceId: string, spans: RawSpan[], finalOutput: unknown, options: OtlpImportOptions, errors: ImportIssue[]): Trajectory | undefined {
  // --- The call tree. Spans whose parent is missing are roots; parent cycles are broken.
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map<string, RawSpan[]>();
  const parentOf = new Map<string, RawSpan>();
  for (const span of spans) {
    const parent = span.parentSpanId !== undefined ? byId.get(span.parentSpanId) : undefined;
    if (parent && parent !== span) {
      parentOf.set(span.spanId, parent);
      const list = children.get(parent.spanId) ?? [];
      list.push(span);
      children.set(parent.spanId, list);
    }
  }
  const timeOrder = (a: RawSpan, b: RawSpan): number => (a.startMs ?? Number.POSITIVE_INFINITY) - (b.startMs ?? Number.POSITIVE_INFINITY) || a.order - b.order;
  for (const list of children.values()) list.sort(timeOrder);
  const roots = spans.filter((s) => !parentOf.has(s.spanId)).sort(timeOrder);
  const dfs: RawSpan[] = [];
  const visited = new Set<string>();
  const visit = (root: RawSpan): void => {
    const stack = [root];
    while (stack.length > 0) {
      const span = stack.pop() as RawSpan;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      dfs.push(span);
      const kids = children.get(span.spanId) ?? [];
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as RawSpan);
    }
  };
  roots.forEach(visit);
  for (const span of [...spans].sort(timeOrder)) {
    if (visited.has(span.spanId)) continue;
    errors.push({ message: `span ${span.spanId} is part of a parent cycle; it is treated as a root`, path: span.path, ...(span.line !== undefined ? { line: span.line } : {}) });
    const parent = parentOf.get(span.spanId);
    if (parent) children.set(parent.spanId, (children.get(parent.spanId) ?? []).filter((c) => c !== span));
    parentOf.delete(span.spanId);
    roots.push(span);
    visit(span);
  }
  const dfsIndex = new Map(dfs.map((s, i) => [s.spanId, i]));
  const ancestors = function* (span: RawSpan): Generator<RawSpan> {
    for (let p = parentOf.get(span.spanId); p; p = parentOf.get(p.spanId)) yield p;
  };

  // --- Which spans are steps.
  const role = new Map(spans.map((s) => [s.spanId, classify(s)]));
  const llmBelow = new Set<string>();
  const stepBelow = new Set<string>();
  const isStepSpan = (span: RawSpan): boolean => {
    const r = role.get(span.spanId);
    if (r === 'llm') return !llmBelow.has(span.spanId);
    if (r === 'tool' || r === 'eval') return true;
    if (r === 'agent') return !stepBelow.has(span.spanId) && (spanInput(span) !== undefined || spanOutput(span) !== undefined);
    return stepKindOverride(span) !== undefined;
  };
  const stepSpans = new Set<string>();
  for (let i = dfs.length - 1; i >= 0; i--) {
    // Reverse pre-order visits every child before its parent.
    const span = dfs[i] as RawSpan;
    if (isStepSpan(span)) stepSpans.add(span.spanId);
    const parent = parentOf.get(span.spanId);
    if (!parent) continue;
    if (role.get(span.spanId) === 'llm' || llmBelow.has(span.spanId)) llmBelow.add(parent.spanId);
    if (stepSpans.has(span.spanId) || stepBelow.has(span.spanId)) stepBelow.add(parent.spanId);
  }
  if (stepSpans.size === 0) {
    errors.push({
      message: `trace ${traceId}: no model, tool or agent spans (gen_ai.*, OpenInference or OpenLLMetry attributes) among its ${spans.length} span(s); nothing imported`,
      // A file that is one bare span has the empty path; "$" names that root.
      ...(spans[0] ? { path: spans[0].path || '$' } : {}),
      ...(spans[0]?.line !== undefined ? { line: spans[0].line } : {}),
    });
    return undefined;
  }

  // --- Agents, by span name attributes, then enclosing agent spans, then the service.
  const agentMemo = new Map<string, string>();
  const agentOf = (span: RawSpan): string => {
    // Iterative walk up (traces can nest deeply); every span passed on the way is memoised.
    const chain: RawSpan[] = [];
    let agent: string | undefined;
    for (let s: RawSpan | undefined = span; s; s = parentOf.get(s.spanId)) {
      agent = agentMemo.get(s.spanId) ?? ownAgentName(s, role.get(s.spanId) as SpanRole);
      if (agent) break;
      chain.push(s);
    }
    const resolved = agent ?? getString(span.resource, ATTR.serviceName) ?? 'unknown_service';
    for (const s of chain) agentMemo.set(s.spanId, resolved);
    agentMemo.set(span.spanId, agentMemo.get(span.spanId) ?? resolved);
    return resolved;
  };
  const firstDefined = <T>(span: RawSpan, read: (s: RawSpan) => T | undefined): T | undefined => {
    const own = read(span);
    if (own !== undefined) return own;
    for (const a of ancestors(span)) {
      const v = read(a);
      if (v !== undefined) return v;
    }
    return undefined;
  };

  // --- Drafts of steps, one per model/agent/eval span and two per tool span.
  const drafts: Draft[] = [];
  for (const span of dfs) {
    if (!stepSpans.has(span.spanId)) continue;
    const r = role.get(span.spanId) as SpanRole;
    const agentId = agentOf(span);
    const round = firstDefined(span, explicitRound) ?? firstDefined(span, nativeRound);
    const base = { span, agentId, attrs: spanFacts(span), seq: 0, ...(round !== undefined ? { round } : {}) };
    const override = stepKindOverride(span);
    if (r === 'tool') {
      const a = span.attributes;
      const toolName = getString(a, ATTR.toolName) ?? (getString(a, ATTR.traceloopKind) === 'tool' ? getString(a, ATTR.traceloopEntity) : undefined) ?? (span.name.replace(/^execute_tool\s*/, '') || 'tool');
      const callId = getString(a, ATTR.toolCallId);
      const args = getAttr(a, ATTR.toolArguments) ?? getAttr(a, ATTR.inputValue);
      const resultValue = getAttr(a, ATTR.toolResult) ?? getAttr(a, ATTR.outputValue) ?? getAttr(a, ATTR.anyAgentOutput);
      const facts = { ...base.attrs, tool: toolName, ...(callId ? { callId } : {}) };
      const call: ToolCall = { name: toolName, ...(callId ? { id: callId } : {}), ...(args !== undefined ? { arguments: valueToText(args) } : {}) };
      drafts.push({
        ...base,
        id: `${span.spanId}.call`,
        kind: 'tool_call',
        output: renderToolCall(call),
        usage: { in: 0, out: 0 },
        ...(span.startMs !== undefined ? { tStart: span.startMs, tEnd: span.startMs } : {}),
        attrs: facts,
        toolCalls: [],
        toolName,
        ...(callId ? { callId } : {}),
        sub: 0,
      });
      drafts.push({
        ...base,
        id: `${span.spanId}.result`,
        kind: 'tool_result',
        output: valueToText(resultValue),
        usage: { in: 0, out: 0 },
        ...(span.startMs !== undefined ? { tStart: span.startMs } : {}),
        ...(span.endMs !== undefined ? { tEnd: span.endMs } : {}),
        attrs: facts,
        toolCalls: [],
        toolName,
        ...(callId ? { callId } : {}),
        sub: 1,
      });
      continue;
    }
    const input = spanInput(span);
    const output = spanOutput(span);
    drafts.push({
      ...base,
      id: span.spanId,
      kind: override ?? (r === 'llm' ? 'llm' : r === 'eval' ? 'eval' : 'message'),
      ...(input !== undefined ? { input } : {}),
      output: output?.text ?? '',
      usage: usageOf(span.attributes),
      ...(span.startMs !== undefined ? { tStart: span.startMs } : {}),
      ...(span.endMs !== undefined ? { tEnd: span.endMs } : {}),
      toolCalls: output?.toolCalls ?? [],
      sub: 0,
    });
  }

  // --- Order: by start time (a step without one keeps its place in the call tree), then rounds.
  let lastTime = Number.NEGATIVE_INFINITY;
  const timeKey = new Map<Draft, number>();
  for (const d of drafts) {
    if (d.tStart !== undefined) lastTime = d.tStart;
    timeKey.set(d, lastTime);
  }
  const byTime = (a: Draft, b: Draft): number =>
    (timeKey.get(a) as number) - (timeKey.get(b) as number) || (dfsIndex.get(a.span.spanId) as number) - (dfsIndex.get(b.span.spanId) as number) || a.sub - b.sub;
  drafts.sort(byTime);
  const labelled = fillRoundGaps(drafts.map((d) => d.round));
  let rounds: number[];
  if (labelled) {
    rounds = labelled;
    drafts.forEach((d, i) => (d.round = rounds[i]));
    // Rounds are contiguous in a trajectory; a stable sort keeps time order inside each round.
    drafts.sort((a, b) => (a.round as number) - (b.round as number));
    rounds = drafts.map((d) => d.round as number);
  } else {
    rounds = roundsBySpeakerRepeat(
      drafts.map((d) => ({ agentId: d.agentId, speaks: SPEAKING_KINDS.has(d.kind) })),
      { mergeConsecutive: false },
    );
  }
  drafts.forEach((d, i) => {
    d.seq = i;
    d.round = rounds[i];
  });

  // --- Reads.
  const draftsOfSpan = new Map<string, Draft[]>();
  for (const d of drafts) draftsOfSpan.set(d.span.spanId, [...(draftsOfSpan.get(d.span.spanId) ?? []), d]);
  const finalBelow = new Map<string, Draft>();
  const speakingBelow = new Set<string>();
  for (let i = dfs.length - 1; i >= 0; i--) {
    const span = dfs[i] as RawSpan;
    let last: Draft | undefined;
    for (const d of draftsOfSpan.get(span.spanId) ?? []) if (!last || d.seq > last.seq) last = d;
    if ((draftsOfSpan.get(span.spanId) ?? []).some((d) => SPEAKING_KINDS.has(d.kind))) speakingBelow.add(span.spanId);
    for (const child of children.get(span.spanId) ?? []) {
      const c = finalBelow.get(child.spanId);
      if (c && (!last || c.seq > last.seq)) last = c;
      if (speakingBelow.has(child.spanId)) speakingBelow.add(span.spanId);
    }
    if (last) finalBelow.set(span.spanId, last);
  }
  const stepById = new Map(drafts.map((d) => [d.id, d]));

  // Siblings that hold steps, per parent ('' for the roots), ordered by their final step.
  const siblingIndex = new Map<string, RawSpan[]>();
  const finalSeq = (s: RawSpan): number => (finalBelow.get(s.spanId) as Draft).seq;
  const siblingsOf = (parent: RawSpan | undefined): RawSpan[] => {
    const key = parent?.spanId ?? '';
    let list = siblingIndex.get(key);
    if (!list) {
      list = (parent ? (children.get(parent.spanId) ?? []) : roots).filter((s) => finalBelow.has(s.spanId)).sort((a, b) => finalSeq(a) - finalSeq(b));
      siblingIndex.set(key, list);
    }
    return list;
  };
  /** Whether `s` was over when `later` started (document order when times are missing). */
  const overBefore = (s: RawSpan, later: RawSpan): boolean => {
    const endedAt = s.endMs ?? s.startMs;
    if (later.startMs !== undefined && endedAt !== undefined) return endedAt <= later.startMs;
    return (dfsIndex.get(s.spanId) as number) < (dfsIndex.get(later.spanId) as number);
  };

  const sequenceReads = (d: Draft): Draft[] => {
    for (let node: RawSpan | undefined = d.span; node; node = parentOf.get(node.spanId)) {
      const current: RawSpan = node;
      const siblings = siblingsOf(parentOf.get(current.spanId));
      // Binary search for the last sibling whose final step precedes this step.
      let lo = 0;
      let hi = siblings.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (finalSeq(siblings[mid] as RawSpan) < d.seq) lo = mid + 1;
        else hi = mid;
      }
      // Walking back from the nearest earlier sibling: collect until the anchor (the nearest sibling
      // in which an agent spoke), then keep going only while siblings were still running when the
      // anchor started (parallel branches of a fan-in); the first one that was already over ends
      // the walk, since everything before it is reachable through it.
      const earlier: RawSpan[] = [];
      let anchor: RawSpan | undefined;
      for (let k = lo - 1, examined = 0; k >= 0 && examined < SIBLING_LOOKBACK; k--, examined++) {
        const s = siblings[k] as RawSpan;
        if (s === current || !overBefore(s, current)) continue;
        if (anchor && overBefore(s, anchor)) break;
        earlier.push(s);
        if (!anchor && speakingBelow.has(s.spanId)) anchor = s;
      }
      if (earlier.length === 0) continue;
      // Without a speaking sibling, the nearest sibling anchors: what ran alongside it is kept.
      const base = anchor ?? (earlier[0] as RawSpan);
      return earlier.filter((s) => s === base || !overBefore(s, base)).map((s) => finalBelow.get(s.spanId) as Draft);
    }
    return [];
  };

  const contentMatches = readsByContent(drafts.map((d) => ({ input: d.kind === 'tool_result' ? '' : inputText(d.input), output: d.output })));

  // Model steps that asked for tools, by call id and by agent + tool name, updated as steps are
  // visited in order so that lookups only see earlier steps.
  const requesterById = new Map<string, Draft>();
  const requesterByName = new Map<string, Draft>();
  const toolKey = (agentId: string, name: string | undefined): string => `${agentId}\u0000${name ?? ''}`;

  const steps: Step[] = drafts.map((d, i) => {
    const reads = new Set<Draft>();
    const add = (source: Draft | undefined): void => {
      if (source && source.seq < d.seq) reads.add(source);
    };
    // 1. Explicit references.
    const declared = getAttr(d.span.attributes, ATTR.truceReads);
    for (const ref of Array.isArray(declared) ? declared : declared !== undefined ? [declared] : []) {
      const key = valueToText(ref);
      add(stepById.get(key) ?? finalBelow.get(key) ?? finalBelow.get(key.toLowerCase()));
    }
    for (const link of d.span.links) if (link.traceId === traceId) add(finalBelow.get(link.spanId));
    // 2. Tool pairing.
    if (d.kind === 'tool_result') {
      add(draftsOfSpan.get(d.span.spanId)?.find((c) => c.kind === 'tool_call'));
    } else {
      let requester: Draft | undefined;
      if (d.kind === 'tool_call') {
        // The call id is exact; the tool name is the fallback when the model output carried no ids.
        requester = (d.callId ? requesterById.get(d.callId) : undefined) ?? requesterByName.get(toolKey(d.agentId, d.toolName));
        add(requester);
      }
      // 3. The step whose span encloses this one.
      for (const a of ancestors(d.span)) {
        const own = draftsOfSpan.get(a.spanId);
        if (own && own.length > 0) {
          add(own[0]);
          break;
        }
      }
      // 4. Sequence, unless a tool call already knows who asked for it.
      if (!requester) for (const s of sequenceReads(d)) add(s);
      // 5. Message flow.
      for (const j of contentMatches[i] ?? []) add(drafts[j]);
    }
    for (const call of d.toolCalls) {
      if (call.id) requesterById.set(call.id, d);
      requesterByName.set(toolKey(d.agentId, call.name), d);
    }
    const step: Step = {
      id: d.id,
      seq: d.seq,
      round: d.round as number,
      agentId: d.agentId,
      kind: d.kind,
      ...(d.input !== undefined ? { input: d.input } : {}),
      output: d.output,
      reads: [...reads].sort((a, b) => a.seq - b.seq).map((r) => r.id),
      usage: d.usage,
      ...(d.tStart !== undefined ? { t_start: d.tStart } : {}),
      ...(d.tEnd !== undefined ? { t_end: d.tEnd } : {}),
      attrs: d.attrs,
    };
    return step;
  });

  // --- Agents, rounds, outcome.
  const agents: Agent[] = [];
  const agentSeen = new Set<string>();
  const kindsOf = new Map<string, Set<StepKind>>();
  for (const s of steps) kindsOf.set(s.agentId, (kindsOf.get(s.agentId) ?? new Set<StepKind>()).add(s.kind));
  for (const s of steps) {
    if (agentSeen.has(s.agentId)) continue;
    agentSeen.add(s.agentId);
    // An agent that only aggregates (plus its own tool traffic) is the round aggregator.
    const kinds = [...(kindsOf.get(s.agentId) as Set<StepKind>)];
    agents.push({ id: s.agentId, kind: kinds.includes('aggregate') && kinds.every((k) => k === 'aggregate' || k.startsWith('tool')) ? 'aggregator' : 'role' });
  }
  // A round's state is what its last aggregate step wrote.
  const lastAggregate = new Map<number, Step>();
  for (const s of steps) if (s.kind === 'aggregate') lastAggregate.set(s.round, s);
  const roundList: Round[] = [...new Set(steps.map((s) => s.round))].map((index) => {
    const aggregate = lastAggregate.get(index);
    return { index, ...(aggregate ? { state: aggregate.output, aggregator: aggregate.agentId } : {}) };
  });

  const rootSpans = roots.length > 0 ? roots : spans;
  const fromTrace = <T>(read: (s: RawSpan) => T | undefined): T | undefined => {
    for (const s of [...rootSpans, ...dfs]) {
      const v = read(s);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  const score = fromTrace((s) => getNumber(s.attributes, ATTR.outcomeScore));
  const success = fromTrace((s) => getBoolean(s.attributes, ATTR.outcomeSuccess));
  const outcome =
    score !== undefined && score >= 0 && score <= 1 ? { score, success: success ?? score >= 1, details: {} } : undefined;
  const rootInput = fromTrace((s) => getString(s.attributes, ATTR.inputValue));
  const firstUser = steps.find((s) => Array.isArray(s.input) && s.input.some((m) => m.role === 'user'));
  const taskText = rootInput ?? (Array.isArray(firstUser?.input) ? firstUser.input.find((m) => m.role === 'user')?.content : undefined);
  const serviceName = fromTrace((s) => getString(s.resource, ATTR.serviceName));

  return {
    runId: fromTrace((s) => getString(s.attributes, ATTR.truceRunId)) ?? `otlp:${traceId}`,
    taskId: fromTrace((s) => getString(s.attributes, ATTR.truceTaskId)) ?? traceId,
    ...(taskText !== undefined ? { task: { input: taskText } } : {}),
    agents,
    rounds: roundList,
    steps,
    ...(outcome ? { outcome } : {}),
    usage: totalUsage(steps),
    attrs: {
      source: 'otlp',
      traceId,
      ...(options.source ? { file: options.source } : {}),
      ...(serviceName ? { serviceName } : {}),
      ...(finalOutput !== undefined ? { finalOutput } : {}),
    },
  };
}

