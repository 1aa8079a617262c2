/**
 * The built-in rounds MAS (DESIGN.md §6; the structure of the BCD paper): N roles speak in each of
 * R rounds, a per-round aggregator condenses the round into a shared state S_t, and a decision
 * step turns the last state into the answer.
 *
 * - Round t (1-based, as S_0 is the empty initial state): every role gets its system prompt and the
 *   task with S_{t-1}; the roles of a round run concurrently (the LLM client enforces the
 *   endpoint's concurrency limit). Then the round's aggregator gets the task, S_{t-1} and all
 *   contributions of round t, and writes S_t.
 * - Decision: `decision` from the config, else the aggregator of the last configured round, gets
 *   the task and the last state. Its output is the answer, recorded in the last round run.
 * - Early stop (`earlyStop: consensus`): after a round's aggregator has written its state, when
 *   every role gave the same answer (see consensus.ts) the remaining rounds are skipped.
 *
 * Steps are `r{t}.{roleId}` (kind llm), `r{t}.agg` (kind aggregate) and `final` (kind llm); `reads`
 * are the steps whose outputs were in the call's input. A failed LLM call ends the execution as a
 * MasRunFailure holding everything recorded before it; only cancellation rejects.
 */
import type { AgentConfig, TruceConfig } from '../config';
import type { ChatMessage, ChatResult, LlmClient } from '../llm';
import type { Agent, Round, Step, StepKind } from '../trajectory/schema';
import { totalUsage } from '../trajectory/usage';
import { consensusAnswer } from './consensus';
import { MasSetupError } from './errors';
import { fillTemplate, templateValues } from './fillTemplate';
import { aggregatorMessage, decisionMessage, ROUNDS_TEMPLATE_VERSION, roleMessage } from './roundsMessages';
import type { MasRunContext, MasRunFailure, MasRunner, MasRunResult, PresetReply } from './types';

export type RoundsMasConfig = Extract<TruceConfig['mas'], { kind: 'rounds' }>;

export interface RoundsMasOptions {
  mas: RoundsMasConfig;
  /** The configured agents; the decision agent's declared kind comes from here. */
  agents: readonly AgentConfig[];
  /** Wall clock for t_start / t_end. */
  now?: () => number;
}

type PartialTrajectory = NonNullable<MasRunFailure['partial']>;

interface CallSpec {
  id: string;
  seq: number;
  round: number;
  agentId: string;
  kind: StepKind;
  user: string;
  reads: string[];
  /** S_{t-1} (or S_R for the decision), offered to the prompt's `{state}` variable. */
  state?: string;
}

/** An LLM call that failed, with the step it was meant to become. */
class StepFailure extends Error {
  constructor(
    readonly spec: CallSpec,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export class RoundsMas implements MasRunner {
  readonly kind = 'rounds' as const;
  private readonly roles: string[];
  private readonly rounds: number;
  /** The aggregator of each round, index t-1. */
  private readonly aggregators: string[];
  private readonly decision: string;
  private readonly earlyStop: boolean;
  private readonly agentConfigs: Map<string, AgentConfig>;
  private readonly now: () => number;

  /** Throws MasSetupError when the configuration cannot describe a rounds MAS. */
  constructor(options: RoundsMasOptions) {
    const { mas } = options;
    this.roles = [...mas.roles];
    this.rounds = mas.rounds;
    const listed = Array.isArray(mas.aggregator) ? mas.aggregator : [mas.aggregator];
    if (this.roles.length === 0) throw new MasSetupError('mas.roles is empty: the rounds MAS needs at least one role.');
    if (!Number.isInteger(this.rounds) || this.rounds < 1) throw new MasSetupError(`mas.rounds must be a whole number of at least 1; got ${this.rounds}.`);
    if (listed.length !== 1 && listed.length !== this.rounds) {
      throw new MasSetupError(`mas.aggregator lists ${listed.length} aggregators for ${this.rounds} rounds; give one for all rounds or exactly one per round.`);
    }
    this.aggregators = Array.from({ length: this.rounds }, (_, i) => (listed.length === 1 ? listed[0] : listed[i]));
    this.decision = mas.decision ?? this.aggregators[this.rounds - 1];
    this.earlyStop = mas.earlyStop === 'consensus';
    this.agentConfigs = new Map(options.agents.map((a) => [a.id, a]));
    const unknown = [...new Set([...this.roles, ...this.aggregators, this.decision])].filter((id) => !this.agentConfigs.has(id));
    if (unknown.length > 0) {
      throw new MasSetupError(`mas refers to ${unknown.map((id) => `"${id}"`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not in agents of truce.yaml.`);
    }
    this.now = options.now ?? Date.now;
  }

  async run(context: MasRunContext): Promise<MasRunResult | MasRunFailure> {
    const { signal } = context;
    if (signal?.aborted) throw signal.reason;
    const record = this.emptyTrajectory(context);
    const fail = (reason: string, error?: unknown): MasRunFailure => {
      record.usage = totalUsage(record.steps);
      if (error !== undefined) record.attrs = { ...record.attrs, error: errorFacts(error) };
      return { failed: true, reason, partial: record };
    };
    const executor = context.executor;
    if (!executor) return fail('The rounds MAS needs an executor endpoint: set llm.executor in truce.yaml.');
    const missing = this.agentIds().filter((id) => !context.prompts.agents[id]);
    if (missing.length > 0) return fail(`The prompt set has no prompt for ${missing.map((id) => `"${id}"`).join(', ')}.`);

    const addStep = (step: Step): void => {
      record.steps.push(step);
      record.steps.sort((a, b) => a.seq - b.seq);
      context.onStep?.(step);
    };
    let seq = 0;
    let state: string | undefined;
    let stateStep: string | undefined;
    let lastRound = 1;
    try {
      for (let t = 1; t <= this.rounds; t++) {
        if (signal?.aborted) throw signal.reason;
        const aggregator = this.aggregators[t - 1];
        const round: Round = { index: t, aggregator };
        record.rounds.push(round);
        lastRound = t;
        const facts = { task: context.task.input, round: t, rounds: this.rounds, ...(state !== undefined ? { previousState: state } : {}) };
        const roleSpecs: CallSpec[] = this.roles.map((agentId, i) => ({
          id: `r${t}.${agentId}`,
          seq: seq + i,
          round: t,
          agentId,
          kind: 'llm',
          user: roleMessage(facts),
          reads: stateStep ? [stateStep] : [],
          state: state ?? '',
        }));
        seq += roleSpecs.length;
        const settled = await Promise.allSettled(roleSpecs.map((spec) => this.call(spec, context, executor).then((step) => (addStep(step), step))));
        if (signal?.aborted) throw signal.reason;
        const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (rejected) throw rejected.reason;
        const roleSteps = settled.map((s) => (s as PromiseFulfilledResult<Step>).value);

        const aggStep = await this.call(
          {
            id: `r${t}.agg`,
            seq: seq++,
            round: t,
            agentId: aggregator,
            kind: 'aggregate',
            user: aggregatorMessage(facts, roleSteps.map((s) => ({ agentId: s.agentId, output: s.output }))),
            reads: [...roleSteps.map((s) => s.id), ...(stateStep ? [stateStep] : [])],
            state: state ?? '',
          },
          context,
          executor,
        );
        addStep(aggStep);
        state = aggStep.output;
        stateStep = aggStep.id;
        round.state = state;

        if (this.earlyStop && t < this.rounds) {
          const agreed = consensusAnswer(roleSteps.map((s) => s.output));
          if (agreed !== undefined) {
            record.attrs = { ...record.attrs, earlyStop: { afterRound: t, answer: agreed } };
            break;
          }
        }
      }

      const finalState = state ?? '';
      const decision = await this.call(
        {
          id: 'final',
          seq: seq++,
          round: lastRound,
          agentId: this.decision,
          kind: 'llm',
          user: decisionMessage(context.task.input, finalState, lastRound),
          reads: stateStep ? [stateStep] : [],
          state: finalState,
        },
        context,
        executor,
      );
      addStep(decision);
      record.usage = totalUsage(record.steps);
      record.attrs = { ...record.attrs, roundsRun: lastRound };
      return { trajectory: record, answer: decision.output };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof StepFailure) {
        const { spec } = error;
        return fail(`Round ${spec.round}, agent "${spec.agentId}" (step ${spec.id}): ${error.message}`, error.error);
      }
      return fail(`The rounds MAS failed: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }

  private async call(spec: CallSpec, context: MasRunContext, executor: LlmClient): Promise<Step> {
    const prompt = context.prompts.agents[spec.agentId].systemPrompt;
    const values = templateValues({ task: context.task, round: spec.round, rounds: this.rounds, agentId: spec.agentId, ...(spec.state !== undefined ? { state: spec.state } : {}) });
    const messages: ChatMessage[] = [
      { role: 'system', content: fillTemplate(prompt, values) },
      { role: 'user', content: spec.user },
    ];
    const tStart = this.now();
    const preset = context.presetReply?.({ id: spec.id, agentId: spec.agentId, messages });
    if (preset) return this.presetStep(spec, messages, preset, tStart);
    let result: ChatResult;
    try {
      result = await executor.chat(
        { messages, templateVersion: ROUNDS_TEMPLATE_VERSION, ...(context.sample !== undefined ? { sample: context.sample } : {}) },
        { phase: 'rollout', agent: spec.agentId, ...(context.signal ? { signal: context.signal } : {}) },
      );
    } catch (error) {
      throw new StepFailure(spec, error);
    }
    const tEnd = this.now();
    const attrs: Record<string, unknown> = {
      model: executor.model,
      finishReason: result.finishReason,
      cached: result.cached,
      requestHash: result.requestHash,
      costUsd: result.costUsd,
    };
    if (result.usage.estimated) attrs.usageEstimated = true;
    if (result.refusal !== undefined) attrs.refusal = result.refusal;
    return {
      id: spec.id,
      seq: spec.seq,
      round: spec.round,
      agentId: spec.agentId,
      kind: spec.kind,
      input: messages,
      output: result.content,
      reads: spec.reads,
      usage: { in: result.usage.inputTokens, out: result.usage.outputTokens },
      t_start: tStart,
      t_end: Math.max(tStart, tEnd),
      attrs,
    };
  }

  /** A step whose output was given, not asked for (see MasRunContext.presetReply): no call, no usage. */
  private presetStep(spec: CallSpec, messages: ChatMessage[], preset: PresetReply, tStart: number): Step {
    return { id: spec.id, seq: spec.seq, round: spec.round, agentId: spec.agentId, kind: spec.kind, input: messages, output: preset.output, reads: spec.reads, usage: { in: 0, out: 0 }, t_start: tStart, t_end: tStart, attrs: { preset: preset.how } };
  }

  private agentIds(): string[] {
    return [...new Set([...this.roles, ...this.aggregators, this.decision])];
  }

  private emptyTrajectory(context: MasRunContext): PartialTrajectory {
    const agents: Agent[] = [];
    const add = (id: string, kind: Agent['kind']): void => {
      if (agents.some((a) => a.id === id)) return;
      const prompt = context.prompts.agents[id]?.systemPrompt;
      agents.push({ id, kind, ...(prompt !== undefined ? { prompt } : {}) });
    };
    for (const id of this.roles) add(id, 'role');
    for (const id of this.aggregators) add(id, 'aggregator');
    add(this.decision, this.agentConfigs.get(this.decision)?.kind ?? 'role');
    const attrs: Record<string, unknown> = {
      mas: 'rounds',
      promptSetHash: context.prompts.hash,
      roundsConfigured: this.rounds,
    };
    if (context.sample !== undefined) attrs.sample = context.sample;
    return {
      version: 1,
      runId: context.runId,
      taskId: context.task.id,
      task: { input: context.task.input, ...(typeof context.task.reference === 'string' ? { reference: context.task.reference } : {}) },
      agents,
      rounds: [],
      steps: [],
      usage: { in: 0, out: 0 },
      attrs,
    };
  }
}

function errorFacts(error: unknown): Record<string, unknown> {
  if (error && typeof error === 'object' && 'kind' in error && typeof (error as { kind: unknown }).kind === 'string') {
    const e = error as { kind: string; message?: string; status?: number };
    return { kind: e.kind, message: e.message ?? '', ...(e.status !== undefined ? { status: e.status } : {}) };
  }
  return { kind: 'unexpected', message: error instanceof Error ? error.message : String(error) };
}
