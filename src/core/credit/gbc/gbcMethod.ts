/**
 * GBC attribution graph (the GBC paper, §3–4) with black-box connection weights.
 *
 * credit(): per task, the agent DAG comes from the steps' `reads`. Starting at the final node and
 * moving backwards, each node's incoming edges get a weight from the estimator (likelihood drop
 * where the executor can score a given text, else ablation re-runs; or the judge)
 * and only the top-k predecessors are kept — so only nodes that can still reach the loss are ever
 * estimated. The verbal loss is attached to the final node; the backward traversal yields the
 * attribution trajectories and a blame per node. The graph goes to `details.graph[taskId]`.
 *
 * suggest(): only agents on an attribution trajectory of a failed task are asked for edits, each
 * with the chain that links its output to the loss. `details.updateFrequency` is the normalized
 * update frequency per agent over the batch.
 *
 * Ablations: --no-units works through the loop's global rewrite (fed by the edge and agent
 * signals); --no-credit is refused (see refusedAblations below).
 */
import { z } from 'zod';
import { callStructured, scoringRoute, type LlmClient, type ScoringRoute } from '../../llm';
import { GBC_SUGGEST_SCHEMA_NAME, GBC_SUGGEST_VERSION, GbcSuggestSchema, gbcSuggestMessages } from './prompts/gbcSuggest';
import type { CreditMethod, CreditReport, CreditSignal, MethodContext, RawSuggestion } from '../types';
import type { Step, Trajectory } from '../../trajectory/schema';
import { proposalsToSuggestions, unitsOf } from '../bcd/unitProposals';
import { ablationWeights, recordedMessages } from './ablation';
import { inputFromReads } from './inputFromReads';
import { buildAgentGraph, predecessorsOf } from './graph';
import { judgeWeights } from './judgeWeights';
import { logprobWeights } from './logprobWeights';
import { resolveGbcOptions, type GbcOptions, type GbcOptionsInput } from './options';
import { selectTopPredecessors, type WeightedPredecessor } from './topK';
import { attributionPaths, nodeBlame, type KeptEdge } from './traversal';
import { normalizedUpdateFrequency, type UpdateOccasion } from './updateFrequency';
import { verbalLoss } from './verbalLoss';

export interface GbcMethodSettings {
  options?: GbcOptionsInput;
  /** The executor endpoint, for ablation re-runs; default: the optimizer (noted, since it measures another model). */
  executor?: LlmClient;
}

const WeightSourceSchema = z.enum(['logprob', 'ablation', 'judge', 'none', 'uniform']);
type WeightSource = z.infer<typeof WeightSourceSchema>;

/** Which estimator a credit() call used and why: `details.estimator` of the report. */
export interface EstimatorChoice {
  configured: NonNullable<GbcOptions['estimator']>;
  used: 'logprob' | 'ablation' | 'judge' | 'uniform';
  route?: ScoringRoute;
  reason: string;
  /** Nodes estimated from an input rebuilt from their reads (credit.gbc.reconstructInputs). */
  reconstructed: number;
}

/** The per-task graph in `details.graph`: what the panel draws and what suggest() reads back. */
export const GbcTaskGraphSchema = z.object({
  final: z.string(),
  loss: z.object({ text: z.string(), magnitude: z.number() }),
  nodes: z.array(z.object({ id: z.string(), agentId: z.string(), round: z.number(), seq: z.number(), blame: z.number() })),
  edges: z.array(z.object({ from: z.string(), to: z.string(), weight: z.number().nullable(), kept: z.boolean(), source: WeightSourceSchema })),
  paths: z.array(z.object({ steps: z.array(z.string()), weight: z.number() })),
  pathsTruncated: z.boolean(),
});
export type GbcTaskGraph = z.infer<typeof GbcTaskGraphSchema>;

export function createGbcMethod(settings: GbcMethodSettings = {}): CreditMethod {
  const options: GbcOptions = resolveGbcOptions(settings.options);

  const executorOf = (context: MethodContext) => settings.executor ?? context.executor ?? context.optimizer;

  /** Resolves `auto` (and a `logprob` the endpoint cannot serve) by probing the executor once. */
  async function chooseEstimator(context: MethodContext): Promise<EstimatorChoice> {
    const configured = options.estimator ?? context.config.credit?.gbc?.estimator ?? 'auto';
    if (options.uniformWeights) return { configured, used: 'uniform', reason: 'uniform weights (the authors\' ablation): no estimator', reconstructed: 0 };
    if (configured === 'ablation' || configured === 'judge') return { configured, used: configured, reason: `configured (${configured})`, reconstructed: 0 };
    const executor = executorOf(context);
    const route = await scoringRoute(executor, context.signal);
    if (route) return { configured, used: 'logprob', route, reason: `${executor.model} at ${executor.baseUrl} scores a given text (${route === 'echo' ? 'echo + logprobs on /completions' : 'prompt_logprobs'})`, reconstructed: 0 };
    const reason = `${executor.model} at ${executor.baseUrl} cannot score a given text (no prompt_logprobs, no echo + logprobs on /completions); ablation re-runs instead`;
    if (configured === 'logprob') context.note(`gbc: estimator logprob: ${reason}.`);
    return { configured, used: 'ablation', reason, reconstructed: 0 };
  }

  async function estimate(context: MethodContext, choice: EstimatorChoice, trajectory: Trajectory, step: Step, preds: Step[], calls: { n: number }): Promise<{ weights: Map<string, number>; source: WeightSource }> {
    if (choice.used === 'uniform') return { weights: new Map(preds.map((p) => [p.id, 1 / preds.length])), source: 'uniform' };
    const judge = context.judge ?? context.optimizer;
    let input = recordedMessages(step);
    if (!input && choice.used !== 'judge' && (options.reconstructInputs ?? context.config.credit?.gbc?.reconstructInputs ?? false)) {
      input = inputFromReads(trajectory, step, preds);
      if (input) choice.reconstructed++;
    }
    if (choice.used === 'logprob' && choice.route) {
      const result = await logprobWeights(executorOf(context), choice.route, context, step, preds, input);
      if (result) calls.n += result.calls;
      if (result && result.weights.size > 0) {
        if (result.missing.length) context.note(`gbc: step ${step.id}: no likelihood for the block(s) of ${result.missing.join(', ')}; their weight is unknown.`);
        return { weights: result.weights, source: 'logprob' };
      }
      // Without a recorded input (or with no block found in it) ablation fails the same way and says so.
      if (result && result.calls > 0) context.note(`gbc: step ${step.id}: the server returned no likelihood for its output; ablation instead.`);
    }
    if (choice.used !== 'judge') {
      const executor = executorOf(context);
      const result = await ablationWeights(executor, context, step, preds, input);
      if (result) calls.n += result.calls;
      if (result && result.weights.size > 0) {
        if (result.missing.length) context.note(`gbc: step ${step.id}: the block(s) of ${result.missing.join(', ')} could not be found in its input; their weight is unknown.`);
        return { weights: result.weights, source: 'ablation' };
      }
      if (!options.judgeFallback) {
        context.note(`gbc: step ${step.id} cannot be re-run without its predecessors' blocks${result ? ' (blocks not found in the input)' : ' (no recorded input)'}; weights unknown.`);
        return { weights: new Map(), source: 'none' };
      }
    }
    const result = await judgeWeights(judge, context, step, preds);
    calls.n += result.calls;
    return { weights: result.weights, source: result.ok ? 'judge' : 'none' };
  }

  async function graphOf(context: MethodContext, choice: EstimatorChoice, trajectory: Trajectory, calls: { n: number }): Promise<GbcTaskGraph | undefined> {
    const graph = buildAgentGraph(trajectory);
    if (!graph.final) return undefined;
    const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
    const finalStep = steps.get(graph.final) as Step;
    const loss = verbalLoss(trajectory, finalStep.output);
    const edgeInfo = new Map<string, { weight: number | null; kept: boolean; source: WeightSource }>();
    const kept: KeptEdge[] = [];
    const visited = new Set<string>();
    // Breadth-first from the final node, so edges are only estimated where they can matter.
    const queue = [graph.final];
    while (queue.length) {
      const id = queue.shift() as string;
      if (visited.has(id)) continue;
      visited.add(id);
      const preds = predecessorsOf(graph, id).map((p) => steps.get(p) as Step);
      if (preds.length === 0) continue;
      const { weights, source } = await estimate(context, choice, trajectory, steps.get(id) as Step, preds, calls);
      const weighted: WeightedPredecessor[] = preds.map((p) => ({ from: p.id, weight: weights.get(p.id) ?? null }));
      // The loss node keeps every input: which of them carried the error is what the walk finds out.
      const top = new Set(id === graph.final ? preds.map((p) => p.id) : selectTopPredecessors(weighted, options.topK, context.random).map((w) => w.from));
      for (const w of weighted) {
        edgeInfo.set(`${w.from}->${id}`, { weight: w.weight, kept: top.has(w.from), source: weights.has(w.from) ? source : 'none' });
        if (top.has(w.from)) {
          kept.push({ from: w.from, to: id, weight: w.weight });
          queue.push(w.from);
        }
      }
    }
    const order = graph.nodes.map((n) => n.id);
    const blame = nodeBlame(graph.final, kept, order, loss.magnitude);
    const { paths, truncated } = attributionPaths(graph.final, kept, options.maxPaths);
    return {
      final: graph.final,
      loss,
      nodes: graph.nodes.map((n) => ({ ...n, blame: blame.get(n.id) ?? 0 })),
      edges: graph.edges.map((e) => ({ ...e, ...(edgeInfo.get(`${e.from}->${e.to}`) ?? { weight: null, kept: false, source: 'none' as const }) })),
      paths,
      pathsTruncated: truncated,
    };
  }

  async function credit(context: MethodContext, trajectories: Trajectory[]): Promise<CreditReport> {
    const choice = await chooseEstimator(context);
    if ((choice.used === 'ablation' || choice.used === 'logprob') && !settings.executor && !context.executor) {
      context.note(`gbc: no executor endpoint was handed to the ${choice.used} estimator; it uses the optimizer model, so weights measure its sensitivity rather than the executor's.`);
    }
    const calls = { n: 0 };
    const signals: CreditSignal[] = [];
    const graphs: Record<string, GbcTaskGraph> = {};
    const blame: Record<string, { agent: string; stepId: string }> = {};
    const occasions: UpdateOccasion[] = [];
    for (const trajectory of trajectories) {
      const g = await graphOf(context, choice, trajectory, calls);
      if (!g) {
        context.note(`gbc: task ${trajectory.taskId} has no agent steps; nothing to attribute.`);
        continue;
      }
      graphs[trajectory.taskId] = g;
      const nodeById = new Map(g.nodes.map((n) => [n.id, n]));
      for (const e of g.edges.filter((x) => x.kept)) {
        signals.push({
          scope: 'edge',
          ref: `${e.from}->${e.to}`,
          taskId: trajectory.taskId,
          score: -(e.weight ?? 0) * g.loss.magnitude,
          text: `${nodeById.get(e.from)?.agentId} → ${nodeById.get(e.to)?.agentId}: connection weight ${e.weight === null ? 'unknown' : e.weight.toFixed(2)} (${e.source}).`,
          evidence: [e.from, e.to],
          method: 'gbc',
          ...(e.weight !== null ? { parts: { weight: e.weight } } : {}),
        });
      }
      const onPaths = new Set(g.paths.flatMap((p) => p.steps));
      const agentsOnPaths = new Set([...onPaths].map((id) => nodeById.get(id)?.agentId as string));
      for (const agentId of agentsOnPaths) {
        const mine = g.nodes.filter((n) => n.agentId === agentId && onPaths.has(n.id));
        const top = Math.max(...mine.map((n) => n.blame));
        signals.push({
          scope: 'agent',
          ref: agentId,
          taskId: trajectory.taskId,
          score: -Math.min(1, top),
          text: `On ${g.paths.filter((p) => p.steps.some((s) => nodeById.get(s)?.agentId === agentId)).length} attribution path(s) to the loss. ${g.loss.text.split('\n')[0]}`,
          evidence: mine.map((n) => n.id),
          method: 'gbc',
          parts: { blame: top },
        });
      }
      const picked = g.nodes
        .filter((n) => n.id !== g.final && n.blame > 0)
        .sort((a, b) => b.blame - a.blame || a.seq - b.seq)[0] ?? nodeById.get(g.final);
      if (picked) blame[trajectory.taskId] = { agent: picked.agentId, stepId: picked.id };
      const relevant = relevantAgents(context, trajectory);
      occasions.push({ relevant, updated: trajectory.outcome?.success === false ? relevant.filter((a) => agentsOnPaths.has(a)) : [] });
    }
    return {
      method: 'gbc',
      signals,
      details: { graph: graphs, updateFrequency: normalizedUpdateFrequency(occasions), blame, queries: { calls: calls.n }, options, estimator: choice },
    };
  }

  async function suggest(context: MethodContext, report: CreditReport, trajectories: Trajectory[]): Promise<RawSuggestion[]> {
    const parsed = z.record(z.string(), GbcTaskGraphSchema).safeParse(report.details?.graph ?? {});
    if (!parsed.success) {
      context.note('gbc: the credit report carries no readable attribution graph; no suggestions.');
      return [];
    }
    const out: RawSuggestion[] = [];
    for (const trajectory of trajectories) {
      const g = parsed.data[trajectory.taskId];
      if (!g || trajectory.outcome?.success !== false) continue;
      const steps = new Map(trajectory.steps.map((s) => [s.id, s]));
      const nodeById = new Map(g.nodes.map((n) => [n.id, n]));
      const weightOf = new Map(g.edges.map((e) => [`${e.from}->${e.to}`, e.weight]));
      const agents = [...new Set(g.paths.flatMap((p) => p.steps.map((s) => nodeById.get(s)?.agentId as string)))];
      for (const agentId of agents) {
        const agent = context.agents.find((a) => a.agentId === agentId);
        if (!agent) continue;
        // The strongest chain through the agent (paths are sorted by weight).
        const path = g.paths.find((p) => p.steps.some((s) => nodeById.get(s)?.agentId === agentId)) as GbcTaskGraph['paths'][number];
        const chain = path.steps.map((id, i) => {
          const next = path.steps[i + 1];
          const weight = next !== undefined ? weightOf.get(`${id}->${next}`) : undefined;
          return { stepId: id, agentId: nodeById.get(id)?.agentId ?? '', text: steps.get(id)?.output ?? '', own: nodeById.get(id)?.agentId === agentId, ...(typeof weight === 'number' ? { weight } : {}) };
        });
        const units = unitsOf(context, agentId);
        const result = await callStructured(
          context.optimizer,
          {
            messages: gbcSuggestMessages({
              task: trajectory.task?.input ?? '',
              agentId,
              loss: g.loss.text,
              chain,
              units: units.map((u) => ({ id: u.id, text: u.text, locked: u.locked })),
              maxEdits: options.maxEditsPerCall,
              history: (context.history ?? []).filter((h) => h.agentId === agentId).reverse(),
            }),
            schema: GbcSuggestSchema,
            schemaName: GBC_SUGGEST_SCHEMA_NAME,
            templateVersion: GBC_SUGGEST_VERSION,
          },
          { phase: 'suggest', agent: agentId, ...(context.signal ? { signal: context.signal } : {}) },
        );
        if (!result.ok) {
          context.note(`gbc task ${trajectory.taskId}, agent ${agentId}: unusable suggestion reply (${result.error.stage}): ${result.error.message}`);
          continue;
        }
        const mine = g.nodes.filter((n) => n.agentId === agentId && g.paths.some((p) => p.steps.includes(n.id)));
        const credit = -Math.min(1, Math.max(0, ...mine.map((n) => n.blame)));
        const proposals = result.value.edits.slice(0, options.maxEditsPerCall).map((e) => ({ ...e, rationale: e.rationale || result.value.analysis }));
        out.push(...proposalsToSuggestions(context, { method: 'gbc', taskId: trajectory.taskId, agentId, stepIds: mine.map((n) => n.id), credit }, proposals));
      }
    }
    return out;
  }

  return {
    name: 'gbc',
    credit,
    suggest,
    refusedAblations: {
      // GBC's credit is the choice of which agents are asked (those on an attribution path) and
      // the chain each is shown; without it every agent of a failed task would be asked from the
      // outcome alone, which is the TRUCE or BCD no-credit ablation under another name.
      noCredit:
        'its credit is the attribution graph that decides which agents get suggestions; without it GBC is no method of its own. Run the outcome-only baseline with --method truce --no-credit (or --method bcd --no-credit).',
    },
  };
}

/** Agents whose prompts could be updated for this task: the editable ones that took part (all prompt-holding ones when none is editable, e.g. imported logs). */
function relevantAgents(context: MethodContext, trajectory: Trajectory): string[] {
  const present = new Set(trajectory.steps.map((s) => s.agentId));
  if (context.agents.length) return context.agents.map((a) => a.agentId).filter((id) => present.has(id));
  const noPrompt = new Set(trajectory.agents.filter((a) => a.kind === 'tool' || a.kind === 'human').map((a) => a.id));
  return [...present].filter((id) => !noPrompt.has(id));
}
