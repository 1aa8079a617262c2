/**
 * When did GEPA add each candidate to its pool, and what had it spent by then?
 *
 * AxGEPA (ax 24) adds a candidate right after evaluating it on its whole validation (Pareto) set:
 * the seed after "initial Pareto evaluation", an accepted child after "validation evaluation", an
 * accepted merge after "merge validation". ax offers no callback at that point, but in verbose
 * mode it logs every evaluated example as "[GEPA] <phase>: completed k/n (score=s)" through
 * console.log. So while GEPA compiles, console.log is watched: the k = n line of one of those
 * three phases is the moment a candidate joins the pool (candidates are numbered in that order,
 * as ax numbers them in its Pareto front), and the spend is read from the fake server's counter
 * there, and the candidate's instructions from the flow (ax applies a candidate's instructions
 * to the flow before each example it evaluates). The candidate's validation score is the mean of its n logged example scores.
 * Other console output is passed to stderr, so the bench's JSON on stdout stays clean.
 * The caller checks the count of marks against ax's own candidate count, so a change in ax's log
 * wording fails loudly instead of yielding a wrong figure.
 */
import { format } from 'node:util';

export interface CandidateMark {
  /** ax's candidate index (0 = the starting instructions). */
  index: number;
  phase: string;
  llmCalls: number;
  tokens: number;
  valScore: number;
  /** The instructions the candidate holds (read from the flow, which holds them while it is evaluated). */
  key: string;
}

const CANDIDATE_PHASES = new Set(['initial Pareto evaluation', 'validation evaluation', 'merge validation']);
const COMPLETED = /^\[GEPA\] (.+?): completed (\d+)\/(\d+) \(score=(-?[\d.]+)\)/;

export interface CandidateWatch {
  marks: CandidateMark[];
  stop(): void;
}

export function watchGepaCandidates(spent: () => { llmCalls: number; tokens: number }, heldKey: () => string): CandidateWatch {
  const marks: CandidateMark[] = [];
  const original = console.log;
  let scores: number[] = [];
  console.log = (...args: unknown[]) => {
    const line = format(...args);
    if (!line.startsWith('[GEPA] ')) {
      process.stderr.write(`${line}\n`);
      return;
    }
    const m = COMPLETED.exec(line);
    if (!m || !CANDIDATE_PHASES.has(m[1])) return;
    const [k, n] = [Number(m[2]), Number(m[3])];
    if (k === 1) scores = [];
    scores.push(Number(m[4]));
    if (k === n) marks.push({ index: marks.length, phase: m[1], ...spent(), valScore: scores.reduce((a, b) => a + b, 0) / scores.length, key: heldKey() });
  };
  return {
    marks,
    stop: () => {
      console.log = original;
    },
  };
}
