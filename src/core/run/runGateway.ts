/**
 * The gateway of one run (issue 22): started when a command MAS runs with `mas.gateway` on, it
 * stands between the MAS and the executor endpoint for the whole run. Per call it
 *
 * - attributes the call: the task and repeat index by the session token the execution was given,
 *   the agent by the `x-truce-agent` header or else by the system prompt, matched against the
 *   prompts of the configured agents in this execution;
 * - answers from a recording when one matches (`--replay RUN`, or the run's own earlier
 *   invocations on resume, so nothing is paid twice), and marks a request a replay did not match;
 * - holds the call's estimated spend against the budget before it is sent and refuses it when a cap
 *   would break — the task is then left for a resume and the run stops, saying which cap;
 * - records it whole in `gateway-calls.jsonl` of the run folder and turns it into the one
 *   accounting record (`llm-calls.jsonl`) of that call: the gateway is the single source of the
 *   MAS's spend while it is on.
 *
 * The real key stays inside the executor's LlmClient (LlmClient.forward); the MAS gets a token.
 */
import { join } from 'node:path';
import type { GatewayCallRecord } from '../gateway';
import { estimateRequestTokens, replyLimitOf, replyText, startGateway, systemPromptOf, type Gateway, type GatewayAdmission } from '../gateway';
import { gatewayKey, OrdinalCounter, requestContentHash } from '../gateway/gatewayKey';
import { BudgetExceededError, costUsd, DEFAULT_REPLY_TOKENS, type Budget, type BudgetReservation, type LlmCallRecord, type LlmClient, type Prices } from '../llm';
import type { LlmErrorRecord } from '../llm/errors';
import type { GatewayCallSummary, MasGateway, MasGatewaySession } from '../mas/masGateway';
import type { PromptSet } from '../mas/types';
import { JsonlAppender, readJsonlFile, RUN_FILES } from '../store';

/** The variables a MAS's SDK or framework reads for its endpoint and key. */
export function gatewayEnvironment(url: string, token: string): Record<string, string> {
  return {
    // openai (Python, Node) v1+, LangChain, the OpenAI Agents SDK, CrewAI and LiteLLM read these.
    OPENAI_BASE_URL: url,
    OPENAI_API_KEY: token,
    // The older name, still read by LangChain's Python integrations, LiteLLM and many scripts.
    OPENAI_API_BASE: url,
    // For a program that wants to say outright that it talks to TRUCE.
    TRUCE_GATEWAY_URL: url,
    TRUCE_GATEWAY_TOKEN: token,
  };
}

export interface RunGatewayOptions {
  executor: LlmClient;
  /** Prices of the executor endpoint (truce.yaml llm.executor). */
  prices: Prices;
  budget?: Budget;
  runDir: string;
  /** Recorded replies by key: `--replay RUN`, and this run's earlier invocations. */
  recordings: Map<string, Record<string, unknown>>;
  /** `--replay RUN`: a request without a recording is marked as a miss. */
  replaying: boolean;
  /** Replay only (bare `--replay`): a request without a recording is refused, never sent. */
  strict: boolean;
  /** The real key's values, kept out of the MAS's environment. */
  secrets: readonly string[];
  /** Each call's accounting record, with the task it belongs to. */
  onRecord: (record: LlmCallRecord & { callId: string; source: 'gateway' }, taskId: string | undefined) => void;
}

/** One recorded call as `gateway-calls.jsonl` holds it. */
export type StoredGatewayCall = GatewayCallRecord & { taskId?: string };

/** Replies of calls that completed, by key, from a run folder's `gateway-calls.jsonl`. */
export async function readRecordings(runDir: string, into = new Map<string, Record<string, unknown>>()): Promise<Map<string, Record<string, unknown>>> {
  const { lines } = await readJsonlFile(join(runDir, RUN_FILES.gatewayCalls));
  for (const { value } of lines) {
    const call = value as Partial<StoredGatewayCall>;
    if (typeof call.key !== 'string' || call.error !== undefined || call.status !== 200) continue;
    if (call.response && typeof call.response === 'object' && !into.has(call.key)) into.set(call.key, call.response as Record<string, unknown>);
  }
  return into;
}

interface Execution {
  ordinals: OrdinalCounter;
  prompts: PromptSet;
  calls: GatewayCallRecord[];
}

export class RunGateway implements MasGateway {
  private readonly executions = new Map<string, Execution>();
  private readonly reservations = new Map<string, BudgetReservation>();
  private nextExecution = 0;

  private constructor(
    private readonly options: RunGatewayOptions,
    private readonly file: JsonlAppender,
    private gateway: Gateway | undefined,
  ) {}

  static async start(options: RunGatewayOptions): Promise<RunGateway> {
    const { appender } = await JsonlAppender.open(join(options.runDir, RUN_FILES.gatewayCalls));
    const run = new RunGateway(options, appender, undefined);
    run.gateway = await startGateway({
      upstream: { label: options.executor.baseUrl, forward: (path, init) => options.executor.forward(path, init) },
      admit: (request) => run.admit(request.id, request.api, request.session.task, request.session.sample, request.body, request.agent),
      onCall: (record) => run.recorded(record),
      keepCalls: false,
    });
    return run;
  }

  get url(): string {
    return (this.gateway as Gateway).url;
  }

  open(execution: { taskId: string; sample?: number; prompts: PromptSet }): MasGatewaySession {
    const gateway = this.gateway as Gateway;
    // The session is named by an execution id, so two executions of one task never share ordinals.
    const executionId = `x${++this.nextExecution}`;
    const state: Execution = { ordinals: new OrdinalCounter(), prompts: execution.prompts, calls: [] };
    this.executions.set(executionId, state);
    const session = gateway.openSession({ task: execution.taskId, ...(execution.sample !== undefined ? { sample: execution.sample } : {}) });
    this.byTask.set(`${execution.taskId}\u0000${execution.sample ?? ''}`, executionId);
    return {
      env: gatewayEnvironment(gateway.url, session.token),
      secrets: this.options.secrets,
      finish: async () => {
        session.close();
        await session.idle();
        this.executions.delete(executionId);
        this.byTask.delete(`${execution.taskId}\u0000${execution.sample ?? ''}`);
        return state.calls.map(summary);
      },
    };
  }

  private readonly byTask = new Map<string, string>();

  private execution(task: string | undefined, sample: number | undefined): Execution | undefined {
    if (task === undefined) return undefined;
    const id = this.byTask.get(`${task}\u0000${sample ?? ''}`);
    return id === undefined ? undefined : this.executions.get(id);
  }

  private admit(id: string, api: 'chat' | 'responses', task: string | undefined, sample: number | undefined, body: Record<string, unknown>, headerAgent: string | undefined): GatewayAdmission {
    const execution = this.execution(task, sample);
    const agent = headerAgent ?? (execution ? agentBySystemPrompt(body, execution.prompts) : undefined);
    const content = requestContentHash(body, api);
    const ordinal = execution ? execution.ordinals.next(content) : 0;
    const key = gatewayKey(content, ordinal, sample);
    const labels = { ...(agent !== undefined ? { agent } : {}), key, ordinal };
    const recorded = this.options.recordings.get(key);
    if (recorded) return { kind: 'answer', response: recorded, ...labels };
    if (this.options.strict) {
      return { kind: 'refuse', status: 409, type: 'replay_miss', message: `TRUCE is replaying recorded calls only, and this request (ordinal ${ordinal}${task !== undefined ? ` of task ${task}` : ''}) was never recorded. Run without --replay to send it.`, ...labels };
    }
    const budget = this.options.budget;
    if (budget) {
      const input = estimateRequestTokens(body);
      const reply = replyLimitOf(body) ?? DEFAULT_REPLY_TOKENS;
      try {
        this.reservations.set(id, budget.reserve({ calls: 1, tokens: input + reply, costUsd: costUsd(input, reply, this.options.prices) }));
      } catch (error) {
        if (!(error instanceof BudgetExceededError)) throw error;
        // 402, not 429: SDKs retry a 429 on their own, and every retry would be refused again.
        return { kind: 'refuse', status: 402, type: 'budget_exceeded', message: `TRUCE stopped this run at its budget: ${error.message} The run can be resumed.`, ...labels };
      }
    }
    return { kind: 'forward', ...labels, ...(this.options.replaying ? { replayMiss: true } : {}) };
  }

  private recorded(record: GatewayCallRecord): void {
    const execution = this.execution(record.task, record.sample);
    execution?.calls.push(record);
    const stored: StoredGatewayCall = { ...record, ...(record.task !== undefined ? { taskId: record.task } : {}) };
    this.file.append(stored).catch(() => undefined);
    const usage = { inputTokens: record.usage.prompt, outputTokens: record.usage.completion, estimated: record.usageEstimated === true };
    // Only a call that went out costs anything; one that never reached the endpoint costs nothing.
    const reached = record.served === 'upstream' && !(record.status === 0 && !record.usageEstimated);
    const cost = record.served === 'upstream' ? costUsd(usage.inputTokens, usage.outputTokens, this.options.prices) : 0;
    const reservation = this.reservations.get(record.id);
    if (reservation && this.options.budget) {
      this.reservations.delete(record.id);
      if (reached) this.options.budget.settle(reservation, { calls: 1, tokens: usage.inputTokens + usage.outputTokens, costUsd: cost });
      else this.options.budget.release(reservation);
    }
    const error = errorOf(record);
    const accounting: LlmCallRecord & { callId: string; source: 'gateway' } = {
      ts: record.startedAt,
      requestHash: record.key ?? '',
      role: 'executor',
      baseUrl: this.options.executor.baseUrl,
      model: record.model ?? this.options.executor.model,
      phase: 'rollout',
      ...(record.agent !== undefined ? { agent: record.agent } : {}),
      purpose: 'call',
      usage,
      costUsd: cost,
      latencyMs: record.latencyMs,
      attempts: reached ? 1 : 0,
      cached: record.served === 'recording',
      ...(error ? { error } : {}),
      callId: record.id,
      source: 'gateway',
    };
    this.options.onRecord(accounting, record.task);
  }

  /** Waits for the records still being written; rejects with the first write that failed. */
  async flush(): Promise<void> {
    await this.file.flush();
  }

  /** Stops the gateway after its last call; rejects when a record could not be written. */
  async close(): Promise<void> {
    await this.gateway?.idle();
    await this.gateway?.close();
    await this.file.flush();
  }
}

function summary(record: GatewayCallRecord): GatewayCallSummary {
  const choice = (record.response as { choices?: Array<{ message?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: unknown } }> } }> } | undefined)?.choices?.[0]?.message;
  const chatText = typeof choice?.content === 'string' && choice.content !== '' ? choice.content : (choice?.tool_calls ?? []).map((t) => (typeof t.function?.arguments === 'string' ? t.function.arguments : '')).join('');
  const text = record.api === 'responses' ? replyText(record.response) : chatText;
  return { id: record.id, ...(record.agent !== undefined ? { agent: record.agent } : {}), replyText: text, ok: record.error === undefined };
}

/**
 * The agent whose prompt (in this execution's candidate set) the request's system message is, or
 * contains — the longest such prompt, so an agent whose prompt merely quotes another's still wins.
 */
export function agentBySystemPrompt(body: Record<string, unknown>, prompts: PromptSet): string | undefined {
  const system = systemPromptOf(body)?.trim();
  if (!system) return undefined;
  let best: { id: string; length: number } | undefined;
  for (const [id, agent] of Object.entries(prompts.agents)) {
    const prompt = agent.systemPrompt.trim();
    if (prompt === '' || !system.includes(prompt)) continue;
    if (!best || prompt.length > best.length) best = { id, length: prompt.length };
  }
  return best?.id;
}

/** The accounting's error record for a call that did not complete; what kind decides whether the run stops. */
function errorOf(record: GatewayCallRecord): LlmErrorRecord | undefined {
  if (record.error === undefined) return undefined;
  const message = `MAS model call ${record.id} through the gateway: ${record.error}`;
  if (record.served === 'refused') {
    if (record.status === 402) return { kind: 'budget-exceeded', message: record.error, status: 402 };
    if (record.status === 409) return { kind: 'replay-miss', message: record.error, status: 409 };
  }
  if (record.error === 'the client disconnected') return { kind: 'aborted', message };
  const status = record.status;
  if (status === 0) return { kind: 'unreachable', message };
  if (status === 401 || status === 403) return { kind: 'auth', message, status };
  if (status === 429) return { kind: 'rate-limited', message, status };
  if (status >= 500) return { kind: 'server', message, status };
  if (status >= 400) return { kind: 'bad-request', message, status };
  return { kind: 'bad-response', message, status };
}

/** Variables by which a MAS is set up to reach a model endpoint of its own. */
const OWN_ENDPOINT = ['OPENAI_BASE_URL', 'OPENAI_API_BASE', 'OPENAI_API_KEY'];

/**
 * Whether a command MAS runs behind the gateway: as configured; left to its default, unless
 * truce.yaml sets the MAS up to reach an endpoint of its own (mas.env sets, or mas.passEnv hands
 * it, OPENAI_BASE_URL, OPENAI_API_BASE or OPENAI_API_KEY) — rerouting such a MAS to llm.executor
 * unasked would change which model it talks to.
 */
export function gatewayWanted(mas: { kind: string; gateway?: boolean; env?: Record<string, string>; passEnv?: readonly string[] }): boolean {
  if (mas.kind !== 'command') return false;
  if (mas.gateway !== undefined) return mas.gateway;
  return !OWN_ENDPOINT.some((name) => mas.env?.[name] !== undefined || mas.passEnv?.includes(name));
}
