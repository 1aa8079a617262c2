/**
 * Phase 0 (Algorithm 1's "Require"): the request, resolved once against truce.yaml — the method,
 * K rounds, k (top-k), the batch size, the ablations, the acceptance gate and its δ, and the task
 * split. Nothing later reads the request's options again; every phase reads these settings.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../../config';
import { parseTasksJsonl, splitTasks, type TaskSplit } from '../../tasks';
import type { PromptTexts } from '../../credit/agentUnits';
import { resolveMethod, type MethodRegistry } from '../../credit/resolveMethod';
import type { CreditMethod, MethodName } from '../../credit/types';
import { DEFAULT_DELTA, type GateName } from '../accept';
import { OptimizeSetupError, type OptimizeOptions, type OptimizeProgress } from '../optimizeTypes';
import { promptSetHasher } from '../promptSetHash';

/** The request resolved: what every later phase reads instead of the request's options. */
export interface OptimizeSettings {
  config: TruceConfig;
  workspaceRoot: string;
  env: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  methodName: MethodName;
  methods: MethodRegistry;
  rounds: number;
  topK: number;
  batchSize: number;
  ablations: { noCredit: boolean; noUnits: boolean };
  delta: number;
  gate: GateName;
  seed: number;
  llmMerge: boolean;
  split: TaskSplit;
  signal?: AbortSignal;
  emit: (event: OptimizeProgress) => void;
  /** Handed on to every rollout as they are (runMas's own settings). */
  rolloutRequest: Pick<OptimizeOptions, 'trusted' | 'secrets' | 'llm' | 'toolVersion' | 'confirmSpend'>;
  /** The prompt-set hash under this config (promptSetHash.ts). */
  setHash: (texts: PromptTexts) => Promise<string>;
}

function validConfig(input: unknown): TruceConfig {
  const parsed = truceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new OptimizeSetupError(`The configuration is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); run \`truce validate\`.`);
}

/** The settings, and the credit method as a new run starts it (a resume hands it its state). */
export async function resolveSettings(options: OptimizeOptions): Promise<{ settings: OptimizeSettings; method: CreditMethod }> {
  const now = options.now ?? (() => new Date());
  const env = options.env ?? process.env;
  const config = validConfig(options.config);
  const workspaceRoot = options.workspaceRoot;
  const methodName: MethodName = options.method ?? config.optimizer.method;
  const registry = options.methods;
  const method = resolveMethod(methodName, registry);
  const rounds = options.rounds ?? config.optimizer.rounds;
  const topK = options.topK ?? config.optimizer.topK;
  const batchSize = options.batchSize ?? config.optimizer.batchSize;
  const ablations = { noCredit: options.noCredit ?? false, noUnits: options.noUnits ?? false };
  for (const [name, flag] of [['noCredit', '--no-credit'], ['noUnits', '--no-units']] as const) {
    const why = method.refusedAblations?.[name];
    if (ablations[name] && why) throw new OptimizeSetupError(`${flag} does not apply to the ${methodName} method: ${why}`);
  }
  const delta = options.delta ?? config.optimizer.delta ?? DEFAULT_DELTA;
  const gate = options.gate ?? config.optimizer.gate;
  const seed = config.tasks.seed;

  // Tasks and their split, as `truce run` sees them.
  let taskText: string;
  try {
    taskText = await readFile(resolve(workspaceRoot, config.tasks.file), 'utf8');
  } catch (error) {
    throw new OptimizeSetupError(`Cannot read the tasks file ${config.tasks.file}: ${(error as Error).message}.`);
  }
  const parsedTasks = parseTasksJsonl(taskText);
  if (parsedTasks.errors.length) throw new OptimizeSetupError(`The tasks file ${config.tasks.file} has errors; run \`truce validate\`.`);
  const split = splitTasks(parsedTasks.tasks, config.tasks.split, config.tasks.seed);
  if (!split.train.length) throw new OptimizeSetupError('The train split is empty; optimize needs train tasks (tasks.split in truce.yaml).');
  if (!split.val.length) throw new OptimizeSetupError('The val split is empty; every candidate is accepted or rejected on val tasks (tasks.split in truce.yaml).');

  const settings: OptimizeSettings = {
    config,
    workspaceRoot,
    env,
    now,
    methodName,
    methods: registry,
    rounds,
    topK,
    batchSize,
    ablations,
    delta,
    gate,
    seed,
    llmMerge: options.llmMerge ?? config.optimizer.llmMerge,
    split,
    ...(options.signal ? { signal: options.signal } : {}),
    emit: (event) => options.onProgress?.(event),
    rolloutRequest: {
      trusted: options.trusted,
      ...(options.secrets ? { secrets: options.secrets } : {}),
      ...(options.llm ? { llm: options.llm } : {}),
      ...(options.toolVersion ? { toolVersion: options.toolVersion } : {}),
      ...(options.confirmSpend ? { confirmSpend: options.confirmSpend } : {}),
    },
    setHash: promptSetHasher(config),
  };
  return { settings, method };
}
