/**
 * Round reconstruction for logs that do not mark rounds. A round is the span of time in which each
 * agent speaks at most once (the BCD paper's N roles × R rounds); so a new round starts when an
 * agent that already spoke in the current round speaks again.
 */

export interface SpeakerTurn {
  agentId: string;
  /**
   * Whether this step is the agent speaking. Tool traffic and similar steps do not open rounds;
   * they stay in the round of the turn they belong to.
   */
  speaks: boolean;
}

export interface RoundHeuristicOptions {
  /**
   * Treat consecutive speaking steps of one agent as one turn. Chat logs split a single turn into
   * several entries (Magentic-One logs the orchestrator's ledger update and its instruction
   * separately); traces of model calls do not, where every call is a new utterance.
   */
  mergeConsecutive: boolean;
}

/** Returns the 0-based round of each step, in order. */
export function roundsBySpeakerRepeat(steps: readonly SpeakerTurn[], options: RoundHeuristicOptions): number[] {
  const rounds: number[] = [];
  let round = 0;
  let spoke = new Set<string>();
  let lastSpeaker: string | undefined;
  for (const step of steps) {
    if (step.speaks) {
      const sameTurn = options.mergeConsecutive && step.agentId === lastSpeaker;
      if (!sameTurn && spoke.has(step.agentId)) {
        round += 1;
        spoke = new Set();
      }
      spoke.add(step.agentId);
      lastSpeaker = step.agentId;
    }
    rounds.push(round);
  }
  return rounds;
}

/**
 * Fills the gaps of partially labelled rounds: a step without a label belongs to the round of the
 * closest labelled step before it (or, at the start, the first label). Returns undefined when no
 * step is labelled at all.
 */
export function fillRoundGaps(labels: ReadonlyArray<number | undefined>): number[] | undefined {
  const first = labels.find((l) => l !== undefined);
  if (first === undefined) return undefined;
  let current = first;
  return labels.map((l) => {
    if (l !== undefined) current = l;
    return current;
  });
}
