/**
 * The gateway of an intervention re-run. It stands where the run's gateway stood (the MAS reaches
 * it through OPENAI_BASE_URL alone) and answers each request by where it falls in the original
 * execution, told by the replay key (gateway/gatewayKey.ts: request, ordinal, repeat index):
 *
 *   - a call the execution made before the blamed one: its recorded reply, for free;
 *   - the blamed call: the corrected reply (correctedReply.ts), marked as reached;
 *   - anything else — the calls after it, which now read the correction — goes live to the
 *     executor endpoint at the MAS's own settings, held against the budget like every call.
 *
 * A request before the blamed call that the recording does not hold (the MAS went another way) also
 * goes live, and is counted as a miss: a re-run that never reaches the blamed call is no evidence.
 * Every call of every re-run is written to intervention-calls.jsonl, so nothing paid for is unseen.
 */
import { join } from 'node:path';
import { estimateRequestTokens, replyLimitOf, startGateway, type Gateway, type GatewayAdmission, type GatewayCallRecord } from '../gateway';
import { gatewayKey, OrdinalCounter, requestContentHash } from '../gateway/gatewayKey';
import { BudgetExceededError, costUsd, DEFAULT_REPLY_TOKENS, type Budget, type BudgetReservation, type LlmClient, type Prices } from '../llm';
import type { GatewayCallSummary, MasGateway, MasGatewaySession } from '../mas/masGateway';
import { gatewayEnvironment } from '../run/runGateway';
import { JsonlAppender } from '../store';
import type { InterventionSpend } from './interventionStore';

export const INTERVENTION_CALLS_FILE = 'intervention-calls.jsonl';

export interface InterventionGatewayOptions {
  executor: LlmClient;
  prices: Prices;
  budget: Budget;
  runDir: string;
  interventionId: string;
  /** The original execution's repeat index: keys are computed with it, and the MAS is given it. */
  sample?: number;
  before: ReadonlyMap<string, Record<string, unknown>>;
  blamedKey: string;
  corrected: Record<string, unknown>;
  /** Keys of the calls recorded after the blamed one: a request among them is not a miss. */
  afterKeys: ReadonlySet<string>;
  secrets: readonly string[];
}

/** What one re-run's calls did. */
export interface ExecutionTally {
  reached: boolean;
  replayed: number;
  live: number;
  missed: number;
  spend: InterventionSpend;
  /** Set when the budget refused a call: the re-run could not go on. */
  budgetStop?: string;
}

function emptyTally(): ExecutionTally {
  return { reached: false, replayed: 0, live: 0, missed: 0, spend: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 } };
}

export class InterventionGateway implements MasGateway {
  private gateway: Gateway | undefined;
  private current: { tally: ExecutionTally; ordinals: OrdinalCounter; repeat: number } | undefined;
  private readonly reservations = new Map<string, BudgetReservation>();
  private repeats = 0;

  private constructor(
    private readonly options: InterventionGatewayOptions,
    private readonly file: JsonlAppender,
  ) {}

  static async start(options: InterventionGatewayOptions): Promise<InterventionGateway> {
    const { appender } = await JsonlAppender.open(join(options.runDir, INTERVENTION_CALLS_FILE));
    const gw = new InterventionGateway(options, appender);
    gw.gateway = await startGateway({
      upstream: { label: options.executor.baseUrl, forward: (path, init) => options.executor.forward(path, init) },
      admit: (request) => gw.admit(request.id, request.api, request.body),
      onCall: (record) => gw.recorded(record),
      keepCalls: false,
    });
    return gw;
  }

  /** One re-run at a time: the tally of the open one is what `finish` reports. */
  open(execution: { taskId: string; sample?: number }): MasGatewaySession {
    const gateway = this.gateway as Gateway;
    const state = { tally: emptyTally(), ordinals: new OrdinalCounter(), repeat: this.repeats++ };
    this.current = state;
    const session = gateway.openSession({ task: execution.taskId, ...(this.options.sample !== undefined ? { sample: this.options.sample } : {}) });
    return {
      env: gatewayEnvironment(gateway.url, session.token),
      secrets: this.options.secrets,
      finish: async (): Promise<GatewayCallSummary[]> => {
        session.close();
        await session.idle();
        return [];
      },
    };
  }

  /** The tally of the last re-run (after its session finished). */
  lastTally(): ExecutionTally {
    return this.current?.tally ?? emptyTally();
  }

  private admit(id: string, api: 'chat' | 'responses', body: Record<string, unknown>): GatewayAdmission {
    const state = this.current;
    if (!state) return { kind: 'refuse', status: 409, type: 'no_execution', message: 'No intervention re-run is open on this gateway.' };
    const tally = state.tally;
    const content = requestContentHash(body, api);
    const key = gatewayKey(content, state.ordinals.next(content), this.options.sample);
    if (key === this.options.blamedKey && !tally.reached) {
      tally.reached = true;
      return { kind: 'answer', response: this.options.corrected, key };
    }
    const recorded = this.options.before.get(key);
    if (recorded) {
      tally.replayed++;
      return { kind: 'answer', response: recorded, key };
    }
    if (!tally.reached && !this.options.afterKeys.has(key)) tally.missed++;
    const input = estimateRequestTokens(body);
    const reply = replyLimitOf(body) ?? DEFAULT_REPLY_TOKENS;
    try {
      this.reservations.set(id, this.options.budget.reserve({ calls: 1, tokens: input + reply, costUsd: costUsd(input, reply, this.options.prices) }));
    } catch (error) {
      if (!(error instanceof BudgetExceededError)) throw error;
      tally.budgetStop ??= error.message;
      return { kind: 'refuse', status: 402, type: 'budget_exceeded', message: `TRUCE stopped this intervention at its budget: ${error.message}`, key };
    }
    tally.live++;
    return { kind: 'forward', key };
  }

  private recorded(record: GatewayCallRecord): void {
    const state = this.current;
    this.file.append({ ...record, intervention: this.options.interventionId, ...(state ? { repeat: state.repeat } : {}) }).catch(() => undefined);
    const reservation = this.reservations.get(record.id);
    this.reservations.delete(record.id);
    if (record.served !== 'upstream') {
      if (reservation) this.options.budget.release(reservation);
      return;
    }
    // A call that never reached the endpoint costs nothing; one cut off mid-way is charged at its estimate.
    const reached = !(record.status === 0 && !record.usageEstimated);
    const cost = costUsd(record.usage.prompt, record.usage.completion, this.options.prices);
    if (reservation) {
      if (reached) this.options.budget.settle(reservation, { calls: 1, tokens: record.usage.prompt + record.usage.completion, costUsd: cost });
      else this.options.budget.release(reservation);
    }
    if (!reached || !state) return;
    const spend = state.tally.spend;
    spend.calls++;
    spend.inputTokens += record.usage.prompt;
    spend.outputTokens += record.usage.completion;
    spend.costUsd += cost;
  }

  async close(): Promise<void> {
    await this.gateway?.idle();
    await this.gateway?.close();
    await this.file.flush();
  }
}
