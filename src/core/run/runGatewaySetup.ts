/**
 * How a command MAS's calls reach the run's accounts: through the run's gateway (runGateway.ts),
 * which forwards, replays and records each one, or, without it, from the spans the MAS reports.
 * Whether the gateway is used, the recordings it replays, and the hooks a task's MAS is given.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { BUDGET_SETTING, MissingApiKeyError, resolveEndpoint, type Budget, type BudgetDimension, type EndpointRole, type LlmClient } from '../llm';
import type { MasRunContext } from '../mas/types';
import { resolveRunId, RUN_FILES } from '../store';
import { resumableDir } from './phases/resume';
import type { OpenRun } from './phases/runState';
import { RunSetupError } from './runErrors';
import { readRecordings, RunGateway } from './runGateway';
import { spanCallRecords } from './spanAccounting';
import type { TaskScope } from './taskContext';

/**
 * The gateway forwards with the executor's key. Left to its default, it is on only when that key
 * is at hand (or the endpoint is local); asked for outright, a missing key is the setup error
 * creating the executor's client reports.
 */
export function gatewayUsable(config: TruceConfig, env: Readonly<Record<string, string | undefined>>, secrets: Partial<Record<EndpointRole, string>>): boolean {
  if (config.mas.kind === 'command' && config.mas.gateway === true) return true;
  try {
    resolveEndpoint(secrets.executor ? { ...config.llm.executor, apiKey: secrets.executor } : config.llm.executor, env);
    return true;
  } catch (error) {
    if (error instanceof MissingApiKeyError) return false;
    throw error;
  }
}

/** The folder of the run `--replay RUN` names, which must hold gateway recordings. */
export async function replaySource(workspaceRoot: string, ref: string, gateway: boolean): Promise<string> {
  if (!gateway) {
    throw new RunSetupError('--replay RUN replays what the gateway recorded for a command MAS (mas.kind command, mas.gateway on). The rounds MAS replays from the response cache: use --replay without a run.');
  }
  let id: string;
  try {
    id = await resolveRunId(workspaceRoot, ref);
  } catch (error) {
    throw new RunSetupError(`Cannot replay run ${ref}: ${(error as Error).message}`);
  }
  const dir = resumableDir(workspaceRoot, id);
  if (!dir || !existsSync(dir)) throw new RunSetupError(`Cannot replay run ${ref}: no such run under .truce/runs.`);
  if (!existsSync(resolve(dir, RUN_FILES.gatewayCalls))) throw new RunSetupError(`Run ${id} has no gateway recordings (${RUN_FILES.gatewayCalls}): its MAS did not run behind the gateway, so there is nothing to replay.`);
  return dir;
}

/** The executor key's values as TRUCE holds them, which must never reach the MAS. */
export function executorSecrets(config: TruceConfig, env: Readonly<Record<string, string | undefined>>, secrets: Partial<Record<EndpointRole, string>>): string[] {
  const executor = config.llm.executor;
  const names = [executor.apiKeyEnv ?? (executor.azureApiVersion !== undefined ? 'AZURE_OPENAI_API_KEY' : 'OPENAI_API_KEY')];
  const values = [secrets.executor, ...names.map((n) => env[n]?.trim())];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The run's gateway in front of the executor, with the recordings a resume or `--replay RUN` answers from. */
export async function startRunGateway(run: OpenRun, executor: LlmClient): Promise<RunGateway> {
  const { services, config } = run;
  // This run's own earlier invocations answer a resume for free, as the response cache does for the rounds MAS.
  const recordings = run.before.run ? await readRecordings(run.store.dir) : new Map<string, Record<string, unknown>>();
  if (services.replayDir) await readRecordings(services.replayDir, recordings);
  return RunGateway.start({
    executor,
    prices: config.llm.executor,
    budget: services.budget,
    runDir: run.store.dir,
    recordings,
    replaying: services.replayDir !== undefined,
    strict: services.cacheMode === 'replay',
    secrets: executorSecrets(config, run.env, run.options.secrets ?? {}),
    onRecord: (record, taskId) => {
      services.accounting.record(record);
      services.recorder.record(record, taskId === undefined ? undefined : run.scopes.get(taskId));
    },
  });
}

/** What a task's MAS is given to report its calls: the gateway, or a hook for its spans. */
export function masCallHooks(run: OpenRun, scope: TaskScope): Pick<MasRunContext, 'gateway' | 'onModelCalls'> {
  const { gateway, config } = run;
  const { accounting, recorder, budget } = run.services;
  if (gateway) return { gateway };
  return {
    // Without the gateway, the MAS's spans are the account of its spend; with it they are not
    // counted at all, so no call is counted twice.
    onModelCalls: (calls) => {
      for (const record of spanCallRecords(calls, config)) {
        accounting.record(record);
        recorder.record(record, scope);
        const over = budget.charge({ calls: 1, tokens: record.usage.inputTokens + record.usage.outputTokens, costUsd: record.costUsd });
        if (over) recorder.interrupt({ status: 'stopped-budget', reason: spanBudgetMessage(over, budget) });
      }
    },
  };
}

function spanBudgetMessage(dimension: BudgetDimension, budget: Budget): string {
  const setting = BUDGET_SETTING[dimension];
  const spent = budget.snapshot().spent;
  const figure = dimension === 'calls' ? `${spent.calls} calls` : dimension === 'tokens' ? `${spent.tokens} tokens` : `$${spent.costUsd.toFixed(4)}`;
  return `The MAS's spans report ${figure}, past budget.${setting} in truce.yaml; the run stopped after the tasks in flight. Raise the budget and resume the run.`;
}
