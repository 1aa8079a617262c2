/**
 * The BCD view of a trajectory: per round, each role's utterance u_{i,t} and the aggregator's
 * state S_t. A role's utterance is all of its steps in the round (imported logs split one turn
 * into several entries); tool, human and judge agents have no optimisable prompt and are left out.
 * A round without an aggregator (e.g. an imported group chat) still yields role utterances, so the
 * structural credit works on any log; only the temporal credit needs the aggregator.
 */
import type { Step, Trajectory } from '../../trajectory/schema';

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
    const byAgent = new Map<string, Utterance>();
    for (const s of steps) {
      if (!SPEAKING.has(s.kind) || s.agentId === aggregatorId || NOT_ROLES.has(kindOf.get(s.agentId) ?? 'role')) continue;
      // The decision step reads the last state; it is the system's answer, not a role's contribution.
      if (aggStep && s.reads.includes(aggStep.id)) continue;
      const u = byAgent.get(s.agentId);
      if (u) {
        // Several steps in one turn: each is marked with its id, so a judge can name the one that went wrong.
        if (u.stepIds.length === 1) u.text = `[${u.stepIds[0]}]\n${u.text}`;
        u.text += `\n\n[${s.id}]\n${s.output}`;
        u.stepIds.push(s.id);
      } else byAgent.set(s.agentId, { agentId: s.agentId, round, text: s.output, stepIds: [s.id], firstSeq: s.seq });
    }
    return {
      round,
      roles: [...byAgent.values()],
      ...(aggStep && aggregatorId ? { aggregator: { agentId: aggregatorId, text: aggStep.output, stepId: aggStep.id } } : {}),
    };
  });
}
