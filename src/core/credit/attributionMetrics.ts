/**
 * What an attribution run cost and what the model got to see, per labelled log: the calls a
 * method made for it, the prompt tokens they used, the characters its prompts clipped away, and
 * whether the labelled mistake step's text was in front of the model at all. A method cannot be
 * blamed for missing a culprit it was never shown; these figures tell that case apart from a wrong
 * judgement, and put each method's accuracy next to its price.
 *
 * The meter watches the LLM clients a method is handed (a proxy that forwards every call and
 * keeps what was sent) and cuts the record at each credit() call, which evaluateAttribution makes
 * once per log. Capability probes are the endpoint's, not the method's, and are left out.
 */
import type { CallContext, ChatRequest, ChatResult, LlmClient } from '../llm';
import type { Trajectory } from '../trajectory/schema';
import { omittedCharacters } from './clipStep';
import type { AttributionCase, AttributionResult } from './evalAttribution';
import type { CreditMethod, MethodContext } from './types';

/** Characters of the labelled step's text that must appear in a prompt for it to count as seen. */
const SEEN_PREFIX_CHARS = 200;

export interface CaseFigures {
  taskId: string;
  /** Chat calls made for the log, repairs included. */
  calls: number;
  /** Prompt tokens over those calls, as the endpoint reported them. */
  promptTokens: number;
  /** Characters the clipping markers in the prompts say were left out (each distinct message once). */
  clippedChars: number;
  /** Whether some prompt showed the labelled mistake step's opening text; absent without such a step. */
  decisiveStepSeen?: boolean;
  /** `details.decisive[taskId]` of the method's report, when it has one. */
  decisive?: unknown;
}

export type MeasuredCase = AttributionCase & Omit<CaseFigures, 'taskId'>;

export interface MeasuredResult extends Omit<AttributionResult, 'cases'> {
  cases: MeasuredCase[];
  totals: { calls: number; promptTokens: number; clippedChars: number; decisiveStepSeen: number; decisiveStepCases: number };
}

interface SentCall {
  contents: string[];
  promptTokens: number;
}

export class AttributionMeter {
  readonly cases: CaseFigures[] = [];
  #open: SentCall[] | undefined;

  /** A client that behaves as `client` and records, while a log is being credited, what it sent. */
  watch(client: LlmClient): LlmClient {
    const chat = async (request: ChatRequest, context: CallContext): Promise<ChatResult> => {
      const record = context.purpose === 'probe' ? undefined : this.#open;
      const sent: SentCall = { contents: request.messages.map((m) => m.content), promptTokens: 0 };
      record?.push(sent);
      const result = await client.chat(request, context);
      sent.promptTokens = result.usage.inputTokens;
      return result;
    };
    // The client keeps its state in private fields, which only the real instance can reach: every
    // other member is read from, and bound to, the client itself.
    return new Proxy(client, {
      get(target, key) {
        if (key === 'chat') return chat;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** `method`, with the calls of each credit() attributed to the log(s) it was given. */
  measure(method: CreditMethod): CreditMethod {
    const credit = async (context: MethodContext, trajectories: Trajectory[]) => {
      const sent: SentCall[] = [];
      this.#open = sent;
      try {
        const report = await method.credit(context, trajectories);
        const decisive = report.details?.decisive as Record<string, unknown> | undefined;
        // evaluateAttribution credits one log at a time; a batch would share its calls.
        for (const t of trajectories) this.cases.push(figuresOf(t, sent, decisive?.[t.taskId]));
        return report;
      } finally {
        this.#open = undefined;
      }
    };
    return { ...method, credit, suggest: (context, report, trajectories) => method.suggest(context, report, trajectories) };
  }
}

function figuresOf(trajectory: Trajectory, sent: readonly SentCall[], decisive: unknown): CaseFigures {
  const contents = sent.flatMap((c) => c.contents);
  const seen = decisiveStepSeen(trajectory, contents);
  return {
    taskId: trajectory.taskId,
    calls: sent.length,
    promptTokens: sent.reduce((n, c) => n + c.promptTokens, 0),
    // A repair resends the prompt it repairs; its omissions are the same ones, counted once.
    clippedChars: [...new Set(contents)].reduce((n, text) => n + omittedCharacters(text), 0),
    ...(seen !== undefined ? { decisiveStepSeen: seen } : {}),
    ...(decisive !== undefined ? { decisive } : {}),
  };
}

/**
 * Whether the opening of the labelled step's text appears in one of `contents`. Runs of white
 * space are compared as one space, since prompts may re-wrap or indent what they quote.
 */
export function decisiveStepSeen(trajectory: Pick<Trajectory, 'steps' | 'labels'>, contents: readonly string[]): boolean | undefined {
  const id = trajectory.labels?.mistakeStepId;
  const step = id === undefined ? undefined : trajectory.steps.find((s) => s.id === id);
  if (!step) return undefined;
  const squash = (text: string) => text.replace(/\s+/g, ' ');
  const needle = squash(step.output.trim().slice(0, SEEN_PREFIX_CHARS).trim());
  if (!needle) return undefined;
  return contents.some((text) => squash(text).includes(needle));
}

/** The result of evaluateAttribution with each case's figures beside it (the meter's cases, in order). */
export function withCaseFigures(result: AttributionResult, figures: readonly CaseFigures[]): MeasuredResult {
  const cases = result.cases.map((c, i) => {
    const own = figures[i];
    // Both follow the order of the labelled logs; a mismatch means the meter missed a credit() call.
    if (own?.taskId !== c.taskId) throw new Error(`attribution figures out of step at case ${i} (${c.taskId})`);
    const { taskId: _taskId, ...rest } = own;
    return { ...c, ...rest };
  });
  const seenCases = cases.filter((c) => c.decisiveStepSeen !== undefined);
  return {
    ...result,
    cases,
    totals: {
      calls: cases.reduce((n, c) => n + c.calls, 0),
      promptTokens: cases.reduce((n, c) => n + c.promptTokens, 0),
      clippedChars: cases.reduce((n, c) => n + c.clippedChars, 0),
      decisiveStepSeen: seenCases.filter((c) => c.decisiveStepSeen).length,
      decisiveStepCases: seenCases.length,
    },
  };
}
