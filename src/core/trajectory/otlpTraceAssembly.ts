/**
 * One trace's spans turned into one trajectory: steps from the model, tool and agent spans, agents,
 * rounds and reads, by the rules importOtlp.ts states at its top. Here, apart from the entry point,
 * because the passes share the per-trace index arrays of TraceAssembly and are kept as methods of
 * that one class (see there why).
 */
import type { ImportIssue } from './importResult';
import { valueToText } from './otlpAttributes';
import { callTree, type CallTree } from './otlpCallTree';
import type { SpanDigest, SpanRole } from './otlpSpanDigest';
import { readsByContent } from './readsByContent';
import { totalUsage } from './usage';
import { fillRoundGaps, roundsBySpeakerRepeat, type SpeakerTurn } from './rounds';
import type { Agent, Round, Step, StepKind, Trajectory } from './schema';
import { byRound, byTime, Draft, DraftText } from './otlpDraft';

export interface OtlpImportOptions {
  /** File name for provenance (`attrs.source`). */
  source?: string;
}

const SPEAKING_KINDS = new Set<StepKind>(['llm', 'message', 'handoff', 'aggregate']);
/** Earlier siblings examined per step: bounds the cost on flat traces; a fan-in wider than this is cut at its nearest branches. */
const SIBLING_LOOKBACK = 256;

/**
 * Ascending, in place. A step reads a handful of others, so a short list is insertion-sorted, without
 * the temporary arrays of Array.prototype.sort.
 */
function sortNumbers(list: number[]): void {
  if (list.length > 32) {
    list.sort((a, b) => a - b);
    return;
  }
  for (let a = 1; a < list.length; a++) {
    const v = list[a] as number;
    let b = a - 1;
    for (; b >= 0 && (list[b] as number) > v; b--) list[b + 1] = list[b] as number;
    list[b + 1] = v;
  }
}

/**
 * One trace being turned into a trajectory. Spans are referred to by index (see otlpCallTree.ts).
 * The passes are methods rather than closures made per trace: a hot loop that calls a closure is
 * optimised for that very closure, and the next import, with new closures, threw that code away.
 */
export class TraceAssembly {
  private readonly n: number;
  private readonly tree: CallTree;
  private readonly role: SpanRole[];
  private readonly agentMemo: (string | undefined)[];
  private drafts: Draft[] = [];
  /** Each span's drafts in step order. */
  private draftsOfSpan: (Draft[] | undefined)[] = [];
  /** The last step at or below each span, and whether an agent spoke there. */
  private finalBelow: (Draft | undefined)[] = [];
  private speakingBelow = new Uint8Array(0);
  private stepById: Map<string, Draft> | undefined;
  /** Siblings that hold steps, per parent (-1 for the roots), ordered by their final step. */
  private readonly siblingIndex = new Map<number, number[]>();

  constructor(
    private readonly traceId: string,
    private readonly spans: SpanDigest[],
    private readonly errors: ImportIssue[],
  ) {
    this.n = spans.length;
    this.tree = callTree(spans, errors);
    this.role = new Array(this.n);
    for (let i = 0; i < this.n; i++) this.role[i] = (spans[i] as SpanDigest).role;
    this.agentMemo = new Array(this.n).fill(undefined);
  }

  build(finalOutput: unknown, options: OtlpImportOptions): Trajectory | undefined {
    const isStep = this.stepSpans();
    if (!isStep) return undefined;
    this.makeDrafts(isStep);
    this.order();
    this.indexSteps();
    const steps = this.linkSteps();
    return this.trajectory(steps, finalOutput, options);
  }

  private span(i: number): SpanDigest {
    return this.spans[i] as SpanDigest;
  }

  // --- Which spans are steps.

  private stepSpans(): Uint8Array | undefined {
    const { n, role } = this;
    const { parent, dfs } = this.tree;
    const llmBelow = new Uint8Array(n);
    const stepBelow = new Uint8Array(n);
    const isStep = new Uint8Array(n);
    let stepCount = 0;
    for (let k = n - 1; k >= 0; k--) {
      // Reverse pre-order visits every child before its parent.
      const i = dfs[k] as number;
      if (this.isStepSpan(i, role[i] as SpanRole, llmBelow, stepBelow)) {
        isStep[i] = 1;
        stepCount += 1;
      }
      const p = parent[i] as number;
      if (p < 0) continue;
      if (role[i] === 'llm' || llmBelow[i]) llmBelow[p] = 1;
      if (isStep[i] || stepBelow[i]) stepBelow[p] = 1;
    }
    if (stepCount > 0) return isStep;
    const first = this.spans[0];
    this.errors.push({
      message: `trace ${this.traceId}: no model, tool or agent spans (gen_ai.*, OpenInference or OpenLLMetry attributes) among its ${n} span(s); nothing imported`,
      // A file that is one bare span has the empty path; "$" names that root.
      ...(first ? { path: first.path || '$' } : {}),
      ...(first?.line !== undefined ? { line: first.line } : {}),
    });
    return undefined;
  }

  private isStepSpan(i: number, r: SpanRole, llmBelow: Uint8Array, stepBelow: Uint8Array): boolean {
    if (r === 'llm') return !llmBelow[i];
    if (r === 'tool' || r === 'eval') return true;
    if (r === 'agent') return !stepBelow[i] && (this.span(i).input !== undefined || this.span(i).output !== undefined);
    return this.span(i).override !== undefined;
  }

  // --- Agents, by span name attributes, then enclosing agent spans, then the service.

  private agentOf(i: number): string {
    const { agentMemo } = this;
    const { parent } = this.tree;
    // Iterative walk up (traces can nest deeply); every span passed on the way is memoised.
    const chain: number[] = [];
    let agent: string | undefined;
    for (let s = i; s >= 0; s = parent[s] as number) {
      agent = agentMemo[s] ?? this.span(s).ownAgent;
      if (agent) break;
      chain.push(s);
    }
    const resolved = agent ?? this.span(i).serviceName ?? 'unknown_service';
    for (const s of chain) agentMemo[s] = resolved;
    agentMemo[i] = agentMemo[i] ?? resolved;
    return resolved;
  }

  /** An explicit round on the span or an ancestor, else a native marker on the span or an ancestor. */
  private roundOf(i: number): number | undefined {
    const { parent } = this.tree;
    for (let s = i; s >= 0; s = parent[s] as number) {
      const v = this.span(s).explicitRound;
      if (v !== undefined) return v;
    }
    for (let s = i; s >= 0; s = parent[s] as number) {
      const v = this.span(s).nativeRound;
      if (v !== undefined) return v;
    }
    return undefined;
  }

  // --- Drafts of steps, one per model/agent/eval span and two per tool span.

  private makeDrafts(isStep: Uint8Array): void {
    const { drafts, role } = this;
    const { dfs } = this.tree;
    for (let k = 0; k < this.n; k++) {
      const i = dfs[k] as number;
      if (!isStep[i]) continue;
      const s = this.span(i);
      const r = role[i];
      const agentId = this.agentOf(i);
      const round = this.roundOf(i);
      const facts = s.facts;
      const override = s.override;
      if (r === 'tool') {
        const tool = s.tool;
        // Each step gets its own copy of the facts: trajectories are kept as built (see acceptBuiltAsIs).
        const toolFacts = (): Record<string, unknown> => ({ ...facts, tool: tool.name, ...(tool.callId ? { callId: tool.callId } : {}) });
        drafts.push(new Draft(`${s.spanId}.call`, i, k, 'tool_call', agentId, undefined, tool.callText, { in: 0, out: 0 }, s.startMs, s.startMs, toolFacts(), [], tool.name, tool.callId, 0, round));
        drafts.push(new Draft(`${s.spanId}.result`, i, k, 'tool_result', agentId, undefined, tool.resultText, { in: 0, out: 0 }, s.startMs, s.endMs, toolFacts(), [], tool.name, tool.callId, 1, round));
        continue;
      }
      const input = s.input;
      const output = s.output;
      const kind = override ?? (r === 'llm' ? 'llm' : r === 'eval' ? 'eval' : 'message');
      drafts.push(new Draft(s.spanId, i, k, kind, agentId, input, output?.text ?? '', s.usage, s.startMs, s.endMs, facts, output?.toolCalls ?? [], undefined, undefined, 0, round));
    }
  }

  // --- Order: by start time (a step without one keeps its place in the call tree), then rounds.

  private order(): void {
    const { drafts } = this;
    let lastTime = Number.NEGATIVE_INFINITY;
    for (const d of drafts) {
      if (d.tStart !== undefined) lastTime = d.tStart;
      d.time = lastTime;
    }
    drafts.sort(byTime);
    const count = drafts.length;
    const given: (number | undefined)[] = new Array(count);
    for (let i = 0; i < count; i++) given[i] = (drafts[i] as Draft).round;
    const labelled = fillRoundGaps(given);
    let rounds: number[];
    if (labelled) {
      for (let i = 0; i < count; i++) (drafts[i] as Draft).round = labelled[i];
      drafts.sort(byRound);
      rounds = new Array(count);
      for (let i = 0; i < count; i++) rounds[i] = (drafts[i] as Draft).round as number;
    } else {
      const turns: SpeakerTurn[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const d = drafts[i] as Draft;
        turns[i] = { agentId: d.agentId, speaks: SPEAKING_KINDS.has(d.kind) };
      }
      rounds = roundsBySpeakerRepeat(turns, { mergeConsecutive: false });
    }
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i] as Draft;
      d.seq = i;
      d.round = rounds[i];
    }
  }

  // --- Reads.

  private indexSteps(): void {
    const { n, drafts } = this;
    const { dfs, children } = this.tree;
    const draftsOfSpan: (Draft[] | undefined)[] = new Array(n).fill(undefined);
    for (const d of drafts) (draftsOfSpan[d.span] ??= []).push(d);
    const finalBelow: (Draft | undefined)[] = new Array(n).fill(undefined);
    const speakingBelow = new Uint8Array(n);
    for (let k = n - 1; k >= 0; k--) {
      const i = dfs[k] as number;
      let last: Draft | undefined;
      const own = draftsOfSpan[i];
      if (own) {
        for (const d of own) {
          if (!last || d.seq > last.seq) last = d;
          if (SPEAKING_KINDS.has(d.kind)) speakingBelow[i] = 1;
        }
      }
      const kids = children[i];
      if (kids) {
        for (const child of kids) {
          const c = finalBelow[child];
          if (c && (!last || c.seq > last.seq)) last = c;
          if (speakingBelow[child]) speakingBelow[i] = 1;
        }
      }
      finalBelow[i] = last;
    }
    this.draftsOfSpan = draftsOfSpan;
    this.finalBelow = finalBelow;
    this.speakingBelow = speakingBelow;
  }

  private finalBelowId(id: string): Draft | undefined {
    const i = this.tree.indexOf.get(id);
    return i === undefined ? undefined : this.finalBelow[i];
  }

  private finalSeq(s: number): number {
    return (this.finalBelow[s] as Draft).seq;
  }

  private siblingsOf(p: number): number[] {
    let list = this.siblingIndex.get(p);
    if (!list) {
      const { finalBelow } = this;
      const candidates = p >= 0 ? (this.tree.children[p] ?? []) : this.tree.roots;
      list = [];
      for (const s of candidates) if (finalBelow[s] !== undefined) list.push(s);
      // Final steps differ between siblings (their subtrees are disjoint), so the order is total.
      list.sort((a, b) => this.finalSeq(a) - this.finalSeq(b));
      this.siblingIndex.set(p, list);
    }
    return list;
  }

  /** Whether `s` was over when `later` started (document order when times are missing). */
  private overBefore(s: number, later: number): boolean {
    const earlier = this.span(s);
    const endedAt = earlier.endMs ?? earlier.startMs;
    const laterStart = this.span(later).startMs;
    if (laterStart !== undefined && endedAt !== undefined) return endedAt <= laterStart;
    return (this.tree.dfsPos[s] as number) < (this.tree.dfsPos[later] as number);
  }

  /** Adds to `reads` the final steps of what ran just before `d` (see the file comment, 4.). */
  private addSequenceReads(d: Draft, reads: number[], mark: Int32Array): void {
    const { parent } = this.tree;
    for (let current = d.span; current >= 0; current = parent[current] as number) {
      const siblings = this.siblingsOf(parent[current] as number);
      // Binary search for the last sibling whose final step precedes this step.
      let lo = 0;
      let hi = siblings.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.finalSeq(siblings[mid] as number) < d.seq) lo = mid + 1;
        else hi = mid;
      }
      // Walking back from the nearest earlier sibling: collect until the anchor (the nearest sibling
      // in which an agent spoke), then keep going only while siblings were still running when the
      // anchor started (parallel branches of a fan-in); the first one that was already over ends
      // the walk, since everything before it is reachable through it.
      const earlier: number[] = [];
      let anchor = -1;
      for (let k = lo - 1, examined = 0; k >= 0 && examined < SIBLING_LOOKBACK; k--, examined++) {
        const s = siblings[k] as number;
        if (s === current || !this.overBefore(s, current)) continue;
        if (anchor >= 0 && this.overBefore(s, anchor)) break;
        earlier.push(s);
        if (anchor < 0 && this.speakingBelow[s]) anchor = s;
      }
      if (earlier.length === 0) continue;
      // Without a speaking sibling, the nearest sibling anchors: what ran alongside it is kept.
      const base = anchor >= 0 ? anchor : (earlier[0] as number);
      for (const s of earlier) if (s === base || !this.overBefore(s, base)) addRead(reads, mark, d, this.finalBelow[s]);
      return;
    }
  }

  private linkSteps(): Step[] {
    const { drafts, draftsOfSpan, traceId } = this;
    const { parent } = this.tree;
    const texts: DraftText[] = new Array(drafts.length);
    for (let i = 0; i < drafts.length; i++) texts[i] = new DraftText(drafts[i] as Draft);
    const contentMatches = readsByContent(texts);

    // Model steps that asked for tools, by call id and by agent + tool name, updated as steps are
    // visited in order so that lookups only see earlier steps.
    const requesterById = new Map<string, Draft>();
    const requesterByName = new Map<string, Draft>();

    // A step's reads as step numbers; `mark` stamps the ones already taken for the current step.
    const mark = new Int32Array(drafts.length).fill(-1);
    const steps: Step[] = new Array(drafts.length);
    for (let i = 0; i < drafts.length; i++) {
      const d = drafts[i] as Draft;
      const reads: number[] = [];
      const s = this.span(d.span);
      // 1. Explicit references.
      const declared = s.declaredReads;
      for (const ref of Array.isArray(declared) ? declared : declared !== undefined ? [declared] : []) {
        const key = valueToText(ref);
        this.stepById ??= new Map(drafts.map((x) => [x.id, x]));
        addRead(reads, mark, d, this.stepById.get(key) ?? this.finalBelowId(key) ?? this.finalBelowId(key.toLowerCase()));
      }
      for (const link of s.links) if (link.traceId === traceId) addRead(reads, mark, d, this.finalBelowId(link.spanId));
      // 2. Tool pairing.
      if (d.kind === 'tool_result') {
        addRead(reads, mark, d, draftsOfSpan[d.span]?.find(isToolCall));
      } else {
        let requester: Draft | undefined;
        if (d.kind === 'tool_call') {
          // The call id is exact; the tool name is the fallback when the model output carried no ids.
          requester = (d.callId ? requesterById.get(d.callId) : undefined) ?? requesterByName.get(toolKey(d.agentId, d.toolName));
          addRead(reads, mark, d, requester);
        }
        // 3. The step whose span encloses this one.
        for (let a = parent[d.span] as number; a >= 0; a = parent[a] as number) {
          const own = draftsOfSpan[a];
          if (own && own.length > 0) {
            addRead(reads, mark, d, own[0]);
            break;
          }
        }
        // 4. Sequence, unless a tool call already knows who asked for it.
        if (!requester) this.addSequenceReads(d, reads, mark);
        // 5. Message flow.
        for (const j of contentMatches[i] ?? []) addRead(reads, mark, d, drafts[j]);
      }
      for (const call of d.toolCalls) {
        if (call.id) requesterById.set(call.id, d);
        requesterByName.set(toolKey(d.agentId, call.name), d);
      }
      sortNumbers(reads);
      const ids: string[] = new Array(reads.length);
      for (let r = 0; r < reads.length; r++) ids[r] = (drafts[reads[r] as number] as Draft).id;
      steps[i] = stepOf(d, ids);
    }
    return steps;
  }

  // --- Agents, rounds, outcome.

  /**
   * The trace-level values: each is the first found on a root span, else on any span in call-tree
   * order. One walk for all of them, which stops once each has been found.
   */
  private traceValues(): TraceValues {
    const found: TraceValues = { missing: TRACE_VALUE_COUNT };
    for (const i of this.tree.roots) if (this.takeValues(this.span(i), found)) return found;
    for (const i of this.tree.dfs) if (this.takeValues(this.span(i), found)) return found;
    return found;
  }

  /** Fills in what `s` has of the values still missing; true once none is. */
  private takeValues(s: SpanDigest, found: TraceValues): boolean {
    if (found.score === undefined && (found.score = s.outcomeScore) !== undefined) found.missing--;
    if (found.success === undefined && (found.success = s.outcomeSuccess) !== undefined) found.missing--;
    if (found.input === undefined && (found.input = s.inputValue) !== undefined) found.missing--;
    if (found.serviceName === undefined && (found.serviceName = s.serviceName) !== undefined) found.missing--;
    if (found.runId === undefined && (found.runId = s.runId) !== undefined) found.missing--;
    if (found.taskId === undefined && (found.taskId = s.taskId) !== undefined) found.missing--;
    return found.missing === 0;
  }

  private trajectory(steps: Step[], finalOutput: unknown, options: OtlpImportOptions): Trajectory {
    const { traceId } = this;
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
    const roundIndexes = new Set<number>();
    for (const s of steps) roundIndexes.add(s.round);
    const roundList: Round[] = [...roundIndexes].map((index) => {
      const aggregate = lastAggregate.get(index);
      return { index, ...(aggregate ? { state: aggregate.output, aggregator: aggregate.agentId } : {}) };
    });

    const { score, success, input: rootInput, serviceName, runId, taskId } = this.traceValues();
    const outcome =
      score !== undefined && score >= 0 && score <= 1 ? { score, success: success ?? score >= 1, details: {} } : undefined;
    const firstUser = steps.find((s) => Array.isArray(s.input) && s.input.some((m) => m.role === 'user'));
    const taskText = rootInput ?? (Array.isArray(firstUser?.input) ? firstUser.input.find((m) => m.role === 'user')?.content : undefined);

    return {
      runId: runId ?? `otlp:${traceId}`,
      taskId: taskId ?? traceId,
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
}

/**
 * The step a draft becomes. Optional fields are added one by one in the schema's key order rather
 * than spread in from small objects: spreading made a temporary object per field and gave the steps
 * differing hidden shapes.
 */
function stepOf(d: Draft, reads: string[]): Step {
  const step: Partial<Step> = { id: d.id, seq: d.seq, round: d.round as number, agentId: d.agentId, kind: d.kind };
  if (d.input !== undefined) step.input = d.input;
  step.output = d.output;
  step.reads = reads;
  step.usage = d.usage;
  if (d.tStart !== undefined) step.t_start = d.tStart;
  if (d.tEnd !== undefined) step.t_end = d.tEnd;
  step.attrs = d.attrs;
  return step as Step;
}

/** Adds `source` to a step's reads unless it is missing, not earlier, or already there. */
function addRead(reads: number[], mark: Int32Array, d: Draft, source: Draft | undefined): void {
  if (source && source.seq < d.seq && mark[source.seq] !== d.seq) {
    mark[source.seq] = d.seq;
    reads.push(source.seq);
  }
}

function isToolCall(d: Draft): boolean {
  return d.kind === 'tool_call';
}

function toolKey(agentId: string, name: string | undefined): string {
  return `${agentId}\u0000${name ?? ''}`;
}

/** Values a trace records on its spans rather than per step (see traceValues). */
interface TraceValues {
  /** How many of the values below are still undefined. */
  missing: number;
  score?: number | undefined;
  success?: boolean | undefined;
  input?: string | undefined;
  serviceName?: string | undefined;
  runId?: string | undefined;
  taskId?: string | undefined;
}

const TRACE_VALUE_COUNT = 6;
