/**
 * The BCD view of a trajectory: per round, each role's utterance u_{i,t} and the aggregator's
 * state S_t. A role's utterance is all of its steps in the round (imported logs split one turn
 * into several entries); tool, human and judge agents have no optimisable prompt and are left out.
 * A round without an aggregator (e.g. an imported group chat) still yields role utterances, so the
 * structural credit works on any log; only the temporal credit needs the aggregator.
 */
import type { Step, Trajectory } from '../../trajectory/schema';
import { clipStepText } from '../clipStep';

export interface Utterance {
  agentId: string;
  round: number;
  text: string;
  stepIds: string[];
  /** seq of the first step: the position used for step-level attribution. */
  firstSeq: number;
}

export interface RoundView {
  round: number;
  roles: Utterance[];
  aggregator?: { agentId: string; text: string; stepId: string };
}

const SPEAKING: ReadonlySet<Step['kind']> = new Set(['llm', 'message', 'handoff']);
const NOT_ROLES: ReadonlySet<string> = new Set(['tool', 'human', 'judge', 'aggregator']);

export function roundViews(trajectory: Trajectory): RoundView[] {
  const kindOf = new Map(trajectory.agents.map((a) => [a.id, a.kind]));
  const aggregatorOf = new Map(trajectory.rounds.filter((r) => r.aggregator).map((r) => [r.index, r.aggregator as string]));
  const indices = [...new Set([...trajectory.rounds.map((r) => r.index), ...trajectory.steps.map((s) => s.round)])].sort((a, b) => a - b);
  return indices.map((round) => {
    const steps = trajectory.steps.filter((s) => s.round === round).sort((a, b) => a.seq - b.seq);
    const aggregatorId = aggregatorOf.get(round);
    const aggStep = aggregatorId
      ? (steps.find((s) => s.agentId === aggregatorId && s.kind === 'aggregate') ?? [...steps].reverse().find((s) => s.agentId === aggregatorId && s.kind !== 'eval'))
      : undefined;
    const byAgent = new Map<string, { agentId: string; steps: Step[] }>();
    for (const s of steps) {
      if (!SPEAKING.has(s.kind) || s.agentId === aggregatorId || NOT_ROLES.has(kindOf.get(s.agentId) ?? 'role')) continue;
      // The decision step reads the last state; it is the system's answer, not a role's contribution.
      if (aggStep && s.reads.includes(aggStep.id)) continue;
      const u = byAgent.get(s.agentId) ?? { agentId: s.agentId, steps: [] };
      u.steps.push(s);
      byAgent.set(s.agentId, u);
    }
    return {
      round,
      roles: [...byAgent.values()].map((u) => utterance(u.agentId, round, u.steps)),
      ...(aggStep && aggregatorId ? { aggregator: { agentId: aggregatorId, text: aggStep.output, stepId: aggStep.id } } : {}),
    };
  });
}

/** Characters of one turn the BCD prompts quote in full (their own clip is a little above). */
const TURN_CHARS = 5_500;
/** Below this a step's head and tail no longer say what the agent did. */
const MIN_STEP_CHARS = 700;

/**
 * One role's turn in a round. Several steps are each marked with their id, so a judge can name the
 * one that went wrong, and each gets its share of the turn's budget (clipStep.ts keeps its head,
 * tail and error lines): a long turn loses the middles of its steps, never a whole step.
 */
function utterance(agentId: string, round: number, steps: readonly Step[]): Utterance {
  const first = steps[0] as Step;
  if (steps.length === 1) return { agentId, round, text: first.output, stepIds: [first.id], firstSeq: first.seq };
  const share = Math.max(MIN_STEP_CHARS, Math.floor(TURN_CHARS / steps.length));
  return {
    agentId,
    round,
    text: steps.map((s) => `[${s.id}]\n${clipStepText(s.output, share)}`).join('\n\n'),
    stepIds: steps.map((s) => s.id),
    firstSeq: first.seq,
  };
}
