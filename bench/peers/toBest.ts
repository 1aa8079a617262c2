/**
 * "Calls to best": what an optimizer had spent when it first held what it finally returns, so two
 * optimizers that both spend their whole budget can still be compared on how soon they got there.
 * Counted from the optimizer's start (its own initial validation included) and never including the
 * bench's or the optimizer's final test scoring.
 *
 * Two moments are reported, because an optimizer can reach its final validation score with one
 * prompt set and only later settle on another set with the same score:
 * - `llmCalls`/`tokens`: when the returned prompt set was first held as the optimizer's best
 *   (ours) or first entered GEPA's candidate pool (GEPA returns one of its candidates);
 * - `score`: when a best (ours) or a candidate (GEPA) first reached the validation score of the
 *   returned set.
 * Granularity: ours at the end of a round (acceptance and pruning are both inside a round), GEPA at
 * the end of the candidate's full validation evaluation (the moment GEPA adds it to its pool).
 */
export interface SpentMark {
  llmCalls: number;
  tokens: number;
  /** Where in the run: "initial validation", "round 3", "candidate 4 (validation evaluation)". */
  at: string;
}

export interface ToBest extends SpentMark {
  /** The returned set's validation score, as the optimizer itself measured it. */
  valScore: number | null;
  score: SpentMark;
}

/** One step of a run: cumulative spend after it, what it held as best (or added), and its val score. */
export interface BestTrailStep {
  at: string;
  llmCalls: number;
  tokens: number;
  /** Identity of the prompt set held/added at this step (a hash or the joined texts). */
  key: string;
  valScore: number | null;
}

/**
 * The first step holding `finalKey`, and the first step whose val score reaches `finalScore`
 * (`finalScore` null: the first step holding the final set). Throws when no step holds the final
 * set, since that means the trail and the result disagree and the figure would be made up.
 */
export function toBestOf(trail: readonly BestTrailStep[], finalKey: string, finalScore: number | null): ToBest {
  const held = trail.find((s) => s.key === finalKey);
  if (!held) throw new Error(`The run's trail (${trail.length} steps) never holds the prompt set it returned.`);
  const reached = finalScore === null ? held : (trail.find((s) => s.valScore !== null && s.valScore >= finalScore - 1e-9) ?? held);
  // Reaching the score can never come after holding the set that has it.
  const score = reached.llmCalls <= held.llmCalls ? reached : held;
  return {
    llmCalls: held.llmCalls,
    tokens: held.tokens,
    at: held.at,
    valScore: finalScore,
    score: { llmCalls: score.llmCalls, tokens: score.tokens, at: score.at },
  };
}
