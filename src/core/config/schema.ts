/**
 * The schema of `truce.yaml` (DESIGN.md §6): agents and the prompt files that define them, the MAS,
 * the task set and its split, the evaluator, the LLM endpoints, concurrency, budgets and the
 * optimizer. Objects are strict: an unknown key is an error, because a misspelt key silently
 * ignored is a run with the wrong settings.
 */
import { z } from 'zod';
import { EvaluatorConfigSchema } from '../eval/config';
import { endpointConfigSchema } from '../llm/endpoint';

const id = z.string().regex(/^[\p{L}\p{N}_.-]+$/u, 'use letters, digits, "_", "." or "-"');

export const agentConfigSchema = z
  .object({
    id,
    kind: z.enum(['role', 'aggregator', 'judge']).default('role'),
    /** Workspace-relative path of the prompt file that defines the agent. */
    prompt: z.string().min(1),
    /** The agent inside a multi-agent file (a YAML key, an `# Agent:` heading); default: the file's own. */
    section: z.string().min(1).optional(),
  })
  .strict();

const roundsMasSchema = z
  .object({
    kind: z.literal('rounds'),
    /** Ids of the role agents that speak in every round. */
    roles: z.array(id).min(1),
    rounds: z.number().int().min(1).max(50),
    /** One aggregator for every round, or one per round (length = rounds). */
    aggregator: z.union([id, z.array(id).min(1)]),
    /** The agent that turns the last shared state into the answer; default: the last aggregator. */
    decision: id.optional(),
    /** Stop before the last round when every role gave the same answer. */
    earlyStop: z.enum(['none', 'consensus']).default('none'),
  })
  .strict();

const commandMasSchema = z
  .object({
    kind: z.literal('command'),
    /** Program and arguments; no shell is involved. */
    argv: z.array(z.string().min(1)).min(1),
    cwd: z.string().optional(),
    /** Set for the program on top of its minimal environment (PATH, HOME, locale, temp folders). */
    env: z.record(z.string(), z.string()).default({}),
    /**
     * Variables passed through from TRUCE's own environment, by name — e.g. the API key of a MAS
     * that calls its model itself. Nothing else is inherited: keys stay with TRUCE unless named.
     * Optional without a default, so configurations without it keep their hash.
     */
    passEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use the name of an environment variable, e.g. OPENAI_API_KEY')).optional(),
    timeoutMs: z.number().int().positive().default(600_000),
    /** Start a local OTLP/HTTP receiver and pass its address in OTEL_EXPORTER_OTLP_ENDPOINT. */
    otlp: z.boolean().default(false),
    /**
     * Point the MAS at TRUCE's model gateway (OPENAI_BASE_URL, with a per-run token as its key),
     * which forwards to llm.executor and records and accounts for every call. Default: on when the
     * executor's key is at hand, unless mas.env or mas.passEnv set the MAS up for an endpoint of
     * its own (OPENAI_BASE_URL, OPENAI_API_BASE or OPENAI_API_KEY).
     * Optional without a default, so configurations without it keep their hash.
     */
    gateway: z.boolean().optional(),
  })
  .strict();

const importMasSchema = z
  .object({
    kind: z.literal('import'),
    files: z.array(z.string().min(1)).min(1),
    format: z.enum(['auto', 'native', 'otlp', 'marble', 'whowhen']).default('auto'),
  })
  .strict();

export const masConfigSchema = z.discriminatedUnion('kind', [roundsMasSchema, commandMasSchema, importMasSchema]);

const share = z.number().min(0);
export const tasksConfigSchema = z
  .object({
    /** JSONL of {id, input, reference?, milestones?, ...}. */
    file: z.string().min(1),
    /** Counts (integers) or ratios (summing to 1) per split. */
    split: z.object({ train: share, val: share, test: share }).strict().default({ train: 0.6, val: 0.2, test: 0.2 }),
    seed: z.number().int().default(0),
  })
  .strict()
  .refine((t) => {
    const { train, val, test } = t.split;
    const ratios = train <= 1 && val <= 1 && test <= 1;
    return !ratios || Math.abs(train + val + test - 1) < 1e-9 || [train, val, test].every(Number.isInteger);
  }, { message: 'split ratios must add up to 1 (or give whole task counts)', path: ['split'] });

/** Keys live in the environment or VS Code's secret storage, never in a file that may be committed. */
const fileEndpointSchema = endpointConfigSchema.omit({ apiKey: true }).strict();

export const llmConfigSchema = z
  .object({
    executor: fileEndpointSchema,
    optimizer: fileEndpointSchema.optional(),
    judge: fileEndpointSchema.optional(),
  })
  .strict();

export const budgetConfigSchema = z
  .object({
    maxCalls: z.number().int().positive().optional(),
    maxTokens: z.number().int().positive().optional(),
    maxCost: z.number().positive().optional(),
  })
  .strict();

/**
 * The optimizer's intervention phase (optimize/phases/checkBlame.ts): for failed batch tasks whose
 * blame credit is unsure of, the MAS is re-run with the blamed step corrected, and what the re-runs
 * show reaches the suggestions. It costs executor calls, so it is off unless asked for and never
 * spends more than `maxShare` of the run's budget.
 */
export const optimizerInterveneSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Share of the run's budget (each cap truce.yaml sets; without caps, of the projected calls) interventions may spend. */
    maxShare: z.number().gt(0).max(1).default(0.2),
    /** Re-runs per intervention. */
    repeats: z.number().int().min(1).max(20).default(2),
    /** Steps tried per uncertain task, in credit's order, until one is confirmed. */
    candidates: z.number().int().min(1).max(10).default(2),
    /** A decisive-error pick below this confidence counts as uncertain. */
    minConfidence: z.number().min(0).max(1).default(0.5),
  })
  .strict();

export const DEFAULT_OPTIMIZER_INTERVENE = { enabled: false, maxShare: 0.2, repeats: 2, candidates: 2, minConfidence: 0.5 };

export const optimizerConfigSchema = z
  .object({
    method: z.enum(['truce', 'bcd', 'gbc']).default('truce'),
    rounds: z.number().int().min(1).max(100).default(3),
    topK: z.number().int().min(1).default(3),
    partition: z.enum(['round', 'agent', 'window']).default('round'),
    windowSize: z.number().int().min(1).default(4),
    /** Tasks sampled from train per optimization round. */
    batchSize: z.number().int().min(1).default(8),
    /**
     * Chance, over the whole run, of accepting a prompt set that is not truly better (the
     * Hoeffding margin of the acceptance gate). Small validation splits make the gate strict.
     */
    delta: z.number().gt(0).lt(1).default(0.1),
    /**
     * How a candidate is compared with the current best on the validation tasks: `paired` (task by
     * task, only tasks where the two disagree carry weight; validation stops as soon as the answer
     * is clear) or `hoeffding` (two means and a margin; needs many more tasks).
     */
    gate: z.enum(['paired', 'hoeffding']).default('paired'),
    /**
     * Distinct sampled tasks that must propose an edit before it is tried (capped at a quarter
     * of the batch): one-off edits from a noisy critic never ride along with real fixes.
     */
    minSupportTasks: z.number().int().min(1).default(2),
    /**
     * After a candidate is accepted, try each of its edits away (weakest first) and drop the ones
     * whose removal does not lower validation. Under the paired gate the set without an edit must
     * also beat the previous best, tested like the gate (a few tasks at a time, same α), and
     * pruning ends at the first edit kept.
     */
    prune: z.boolean().default(true),
    /** Let the optimizer LLM merge near-duplicate suggestions that lexical similarity misses. */
    llmMerge: z.boolean().default(false),
    /** Context budget (tokens) for one credit call; longer tasks are split into several calls. */
    contextTokens: z.number().int().min(1000).optional(),
    /** Blame checked by intervention where credit is uncertain, between credit and suggestions (off by default). */
    intervene: optimizerInterveneSchema.default(DEFAULT_OPTIMIZER_INTERVENE),
  })
  .strict();

/**
 * How GBC weighs the edges of its attribution graph (credit/gbc/options.ts): `auto` scores the
 * recorded outputs by likelihood where the executor endpoint can score a given text, else ablation
 * re-runs; `logprob`, `ablation` and `judge` ask for one (logprob still falls back to ablation
 * where the endpoint cannot score).
 */
export const GBC_ESTIMATORS = ['auto', 'logprob', 'ablation', 'judge'] as const;

/** Settings of the credit methods that belong to the workspace rather than to one run. */
export const creditConfigSchema = z
  .object({
    gbc: z
      .object({
        estimator: z.enum(GBC_ESTIMATORS).optional(),
        /**
         * For logs recorded without input messages (Who&When): rebuild a step's input from its
         * agent's prompt, the task and the outputs it read, so logprob and ablation can run
         * there instead of leaving those nodes to the judge.
         */
        reconstructInputs: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * Demo mode (src/core/demo): the rounds MAS and the optimizer run against the built-in simulation
 * world — scripted replies, not an LLM — so the loop can be tried without any endpoint.
 */
export const demoConfigSchema = z
  .object({
    /** Workspace-relative YAML file with the demo world's skills, rules and role markers. */
    world: z.string().min(1),
    /** `no-endpoint`: only when the executor endpoint does not answer; `always`: whatever is configured. */
    when: z.enum(['no-endpoint', 'always']).default('no-endpoint'),
  })
  .strict();

export const truceConfigSchema = z
  .object({
    version: z.literal(1).default(1),
    agents: z.array(agentConfigSchema).min(1),
    mas: masConfigSchema,
    tasks: tasksConfigSchema,
    evaluator: EvaluatorConfigSchema,
    llm: llmConfigSchema,
    concurrency: z.number().int().min(1).max(256).default(4),
    /**
     * Largest prompt file TRUCE reads (bytes; default 4 MB, promptFileGuard.ts). Optional without
     * a default, so configurations without it keep their hash.
     */
    maxPromptBytes: z.number().int().positive().optional(),
    budget: budgetConfigSchema.default({}),
    /** Optional without a default, so configurations without it keep their hash. */
    credit: creditConfigSchema.optional(),
    demo: demoConfigSchema.optional(),
    optimizer: optimizerConfigSchema.default({ method: 'truce', rounds: 3, topK: 3, partition: 'round', windowSize: 4, batchSize: 8, delta: 0.1, gate: 'paired', llmMerge: false, minSupportTasks: 2, prune: true, intervene: DEFAULT_OPTIMIZER_INTERVENE }),
  })
  .strict();

export type TruceConfig = z.infer<typeof truceConfigSchema>;
export type AgentConfig = z.infer<typeof agentConfigSchema>;
