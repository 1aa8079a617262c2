/**
 * Services phase: the LLM layer of the run — one disk response cache for the workspace, the budget
 * carried over from earlier invocations, the call recorder — and the clients, evaluator and MAS
 * runner built on it.
 */
import type { TruceConfig } from '../../config';
import { createEvaluator, type Evaluator } from '../../eval';
import {
  Accounting,
  Budget,
  createLlmClients,
  createLlmServices,
  DiskResponseCache,
  emptyTotals,
  PendingCacheWrites,
  type EndpointConfig,
  type EndpointRole,
  type LlmClients,
} from '../../llm';
import { RunBatchLedger } from '../../llm/batch/batchLedger';
import { cacheDir, foldCalls } from '../../store';
import { CallRecorder } from '../callRecorder';
import { createJudgeCaller } from '../judgeCaller';
import { budgetLimits } from '../projectRun';
import { gatewayWanted } from '../runGateway';
import { gatewayUsable, replaySource } from '../runGatewaySetup';
import { setup } from '../setupStep';
import { TaskContext } from '../taskContext';
import type { CarriedOver, RunInputs, RunPrompts, RunServices } from './runState';

export async function startServices(inputs: RunInputs, prompts: RunPrompts, before: CarriedOver): Promise<RunServices> {
  const { options, config, env, workspaceRoot } = inputs;
  const secrets = options.secrets ?? {};
  const cacheMode = options.cacheMode ?? 'read-write';
  const limits = budgetLimits(config);
  const spentBefore = before.calls.length ? foldCalls(before.calls).total : emptyTotals();
  const spent = { calls: spentBefore.calls, tokens: spentBefore.inputTokens + spentBefore.outputTokens, costUsd: spentBefore.costUsd };
  const taskContext = new TaskContext();
  const recorder = new CallRecorder(taskContext, before.calls);
  const accounting = new Accounting();
  const budget = new Budget(limits, spent);
  const useGateway = gatewayWanted(config.mas) && gatewayUsable(config, env, secrets);
  const replayDir = options.replayRunId === undefined ? undefined : await replaySource(workspaceRoot, options.replayRunId, useGateway);
  const cacheWrites = new PendingCacheWrites();
  // Batches this run submits are written down in its folder; a resume adopts the ones left pending.
  const batchLedger = new RunBatchLedger(before.run?.dir);
  const llm = createLlmServices({
    ...options.llm,
    env,
    batch: { ledger: batchLedger },
    ...(cacheMode === 'off' ? {} : { cache: new DiskResponseCache(cacheDir(workspaceRoot)) }),
    cacheMode,
    budget,
    accounting,
    onCall: (record) => recorder.record(record),
    onCacheWrite: (write) => cacheWrites.track(write, taskContext.current()?.taskId ?? ''),
  });
  const endpoints = endpointConfigs(config, secrets, useGateway);
  const clients = await setup(async () => createLlmClients(endpoints, llm));
  const evaluator = await setup(async () => buildEvaluator(config, clients, options.trusted, workspaceRoot));
  const runner = await setup(async () => inputs.backend.createRunner(config, prompts.prompts, inputs.backendContext));
  return {
    cacheMode,
    limits,
    spent,
    budget,
    accounting,
    taskContext,
    recorder,
    cacheWrites,
    batchLedger,
    llm,
    endpoints,
    clients,
    evaluator,
    runner,
    useGateway,
    ...(replayDir !== undefined ? { replayDir } : {}),
  };
}

function endpointConfigs(config: TruceConfig, secrets: Partial<Record<EndpointRole, string>>, gateway: boolean): Partial<Record<EndpointRole, EndpointConfig>> {
  const withKey = (endpoint: EndpointConfig, role: EndpointRole): EndpointConfig => {
    const key = secrets[role];
    return key ? { ...endpoint, apiKey: key } : endpoint;
  };
  const out: Partial<Record<EndpointRole, EndpointConfig>> = {};
  // A command MAS talks to its own endpoints; a client (and key) for the executor is only needed by ours.
  if (config.mas.kind === 'rounds' || gateway) out.executor = withKey(config.llm.executor, 'executor');
  // The judge falls back to the executor's endpoint when none is configured.
  if (config.evaluator.type === 'llm-judge') {
    out.judge = config.llm.judge ? withKey(config.llm.judge, 'judge') : withKey(config.llm.executor, 'executor');
  }
  return out;
}

function buildEvaluator(config: TruceConfig, clients: LlmClients, trusted: boolean, workspaceRoot: string): Evaluator {
  const caller = clients.judge ? createJudgeCaller(clients.judge) : undefined;
  return createEvaluator(config.evaluator, { workspaceTrusted: trusted, cwd: workspaceRoot, ...(caller ? { caller } : {}) });
}
