/**
 * The intervention subject of a built-in rounds MAS run. The rounds MAS is TRUCE's own runner, so
 * no gateway is needed: its trajectory holds every step's exact messages and output, and the runner
 * asks for a preset reply before each call (MasRunContext.presetReply). A re-run then
 *
 *   - replays each step recorded before the blamed one (by step id, when the messages it is about
 *     to send are the recorded ones; a step whose messages differ goes live and counts as a miss),
 *   - answers the blamed step with the correction (when its messages match: the re-run reached it),
 *   - and calls the executor for every other step, at the endpoint's own settings. Each re-run gets
 *     its own sample index, so the response cache never hands one re-run's replies to the next.
 *
 * The live calls go through the executor client, so the intervention's budget and accounting hold
 * them like any call; the tally counts what was replayed and what went out.
 */
import { createHash } from 'node:crypto';
import type { CreditReport } from '../credit/types';
import type { PresetStep } from '../mas/types';
import type { StoredRun } from '../store';
import type { Step } from '../trajectory/schema';
import type { ExecutionTally } from './interventionGateway';
import { emptyTally, type InterventionSubject, type ReRunDriver } from './interventionSubject';
import { InterventionError, resolveTargetStep, type TargetQuery } from './interventionTarget';

export function roundsSubject(run: StoredRun, credit: CreditReport | undefined, query: TargetQuery): InterventionSubject {
  const target = resolveTargetStep(run, credit, query);
  const { trajectory, step } = target;
  if (trajectory.attrs?.mas !== 'rounds' || !Array.isArray(step.input) || step.attrs.preset !== undefined) {
    throw new InterventionError(`Step ${step.id} of task ${trajectory.taskId} (${step.agentId}) was not produced by a model call of the rounds MAS (an imported log, or a step an earlier intervention supplied), so it cannot be intervened on.`);
  }
  const before = new Map(trajectory.steps.filter((s) => s.seq < step.seq).map((s) => [s.id, s]));
  const later = trajectory.steps.filter((s) => s.seq > step.seq);
  const sample = typeof trajectory.attrs?.sample === 'number' ? trajectory.attrs.sample : undefined;
  return {
    target,
    callId: typeof step.attrs.requestHash === 'string' ? step.attrs.requestHash : step.id,
    original: { text: step.output },
    messages: step.input.map((m) => ({ role: m.role, text: m.content })),
    after: later.map((s) => ({ prompt: s.usage.in, completion: s.usage.out })),
    ...(sample !== undefined ? { sample } : {}),
    start: async (setup) => new RoundsReplay(step, before, setup.correction, setup.executor, sampleBase(setup.interventionId)),
  };
}

class RoundsReplay implements ReRunDriver {
  private current: ExecutionTally = emptyTally();

  constructor(
    private readonly blamed: Step,
    private readonly before: ReadonlyMap<string, Step>,
    private readonly correction: string,
    private readonly executor: import('../llm').LlmClient,
    private readonly base: number,
  ) {}

  open(index: number): ReturnType<ReRunDriver['open']> {
    const tally = emptyTally();
    this.current = tally;
    return { executor: this.executor, sample: this.base + index, presetReply: (call) => this.reply(call, tally) };
  }

  private reply(call: PresetStep, tally: ExecutionTally): { output: string; how: 'replayed' | 'corrected' } | undefined {
    if (call.id === this.blamed.id) {
      if (sameMessages(call, this.blamed) && !tally.reached) {
        tally.reached = true;
        return { output: this.correction, how: 'corrected' };
      }
      tally.missed++;
    } else {
      const recorded = this.before.get(call.id);
      if (recorded && sameMessages(call, recorded)) {
        tally.replayed++;
        return { output: recorded.output, how: 'replayed' };
      }
      if (recorded) tally.missed++;
    }
    tally.live++;
    return undefined;
  }

  observe(result: Parameters<NonNullable<ReRunDriver['observe']>>[0]): void {
    if (!result || !('failed' in result)) return;
    const error = result.partial?.attrs?.error as { kind?: unknown } | undefined;
    if (error?.kind === 'budget-exceeded') this.current.budgetStop = result.reason;
  }

  tally(): ExecutionTally {
    return this.current;
  }

  async close(): Promise<void> {
    // Nothing to stop: the live calls went through the intervention's own executor client.
  }
}

function sameMessages(call: PresetStep, step: Step): boolean {
  const recorded = Array.isArray(step.input) ? step.input : [];
  return recorded.length === call.messages.length && recorded.every((m, i) => m.role === call.messages[i]?.role && m.content === call.messages[i]?.content);
}

/**
 * The first sample index of an intervention's re-runs: drawn from its id, far above the indices a
 * run's own repeats use, so no re-run is answered from a cached reply of the run or of another
 * intervention.
 */
function sampleBase(interventionId: string): number {
  return 1_000_000 + (createHash('sha256').update(interventionId).digest().readUInt32BE(0) % 1_000_000_000) * 32;
}
