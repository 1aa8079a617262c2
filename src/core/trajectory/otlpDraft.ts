/**
 * A step of an OTLP trace in the making, before it becomes a trajectory step, and the orders the
 * assembly sorts drafts in.
 */
import type { Message, StepKind } from './schema';
import type { ToolCall } from './otlpMessages';
import type { StepUsage } from './otlpSpanDigest';
import type { TextStep } from './readsByContent';


/**
 * A step in the making. A class, so that every draft has the same shape: the sorts and passes below
 * read these fields for every step of a long trace.
 */
export class Draft {
  seq = 0;
  /**
   * Start time used for ordering: the own start, else the last start seen before it in the call tree.
   * Starts as a double, the kind of value it will hold, so the field's representation never changes.
   */
  time = Number.NEGATIVE_INFINITY;
  constructor(
    readonly id: string,
    /** Index of the span in the trace. */
    readonly span: number,
    /** Position of the span in the call tree's pre-order. */
    readonly place: number,
    readonly kind: StepKind,
    readonly agentId: string,
    readonly input: Message[] | string | undefined,
    readonly output: string,
    readonly usage: StepUsage,
    readonly tStart: number | undefined,
    readonly tEnd: number | undefined,
    readonly attrs: Record<string, unknown>,
    readonly toolCalls: ToolCall[],
    readonly toolName: string | undefined,
    readonly callId: string | undefined,
    /** 0 for a tool call, 1 for its result: keeps the pair in order when times tie. */
    readonly sub: number,
    public round: number | undefined,
  ) {}
}

/**
 * A draft as the message-flow search sees it: its input is only gathered when the search reaches the
 * step, and handed over as the message texts rather than joined (see readsByContent).
 */
export class DraftText implements TextStep {
  constructor(private readonly draft: Draft) {}

  get input(): string | readonly string[] {
    const { kind, input } = this.draft;
    if (kind === 'tool_result' || input === undefined) return '';
    if (typeof input === 'string') return input;
    const contents: string[] = new Array(input.length);
    for (let i = 0; i < input.length; i++) contents[i] = (input[i] as Message).content;
    return contents;
  }

  get output(): string {
    return this.draft.output;
  }
}

/**
 * (time, place in the call tree, call before result) is unique per draft, so any sort agrees. Equal
 * infinite times give NaN, which falls through like a tie.
 */
export function byTime(a: Draft, b: Draft): number {
  return a.time - b.time || a.place - b.place || a.sub - b.sub;
}

/** Rounds are contiguous in a trajectory; a stable sort keeps time order inside each round. */
export function byRound(a: Draft, b: Draft): number {
  return (a.round as number) - (b.round as number);
}
