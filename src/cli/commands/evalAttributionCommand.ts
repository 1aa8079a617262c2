/**
 * `truce eval-attribution <dir|files...> --method truce|bcd|gbc|all-at-once|all`: the attribution
 * self-test over labelled failure logs (Who&When). Every log is imported with the trajectory
 * importers, credited by the method on its own, and compared with its label; the table and the
 * accuracies go to stdout. `all-at-once` is the Who&When paper's one-prompt baseline; `all` runs
 * every method on the same logs and ends with a comparison table, so each figure stands next to
 * the baseline's. Each case also carries what it cost (calls, prompt tokens), how much its prompts
 * clipped, and whether the labelled mistake step was shown to the model (attributionMetrics.ts).
 *
 * The method's calls go to the optimizer endpoint of truce.yaml (--config), else to the endpoint in
 * TRUCE_BASE_URL with the model in TRUCE_MODEL and the key in OPENAI_API_KEY (none needed locally).
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { truceConfigSchema, type TruceConfig } from '../../core/config';
import { createBcdMethod } from '../../core/credit/bcd';
import { ALL_AT_ONCE, createAllAtOnceMethod } from '../../core/credit/allAtOnce';
import { AttributionMeter, withCaseFigures, type MeasuredResult } from '../../core/credit/attributionMetrics';
import { evaluateAttribution, renderAttributionTable } from '../../core/credit/evalAttribution';
import { createGbcMethod } from '../../core/credit/gbc';
import { createTruceMethod } from '../../core/credit/truce';
import { createLlmClients, createLlmServices, isLlmError, type EndpointConfig, type LlmClient } from '../../core/llm';
import { baseUrlProblem } from '../../core/llm/urlCredentials';
import { seededRandom } from '../../core/optimize/random';
import type { CreditMethod, MethodContext } from '../../core/credit/types';
import { importFile, isErrorIssue, type Trajectory } from '../../core/trajectory';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { ConfigReadError, printDiagnostics, readConfig } from '../readConfig';

const METHODS = ['truce', 'bcd', 'gbc', ALL_AT_ONCE] as const;
type Method = (typeof METHODS)[number];
const ALL = 'all';
const DEFAULT_MODEL = 'gpt-4o-mini';

const usage = `Usage: truce eval-attribution <dir|file...> --method truce|bcd|gbc|all-at-once|all [--config FILE] [--within K] [--samples K] [--json]

Runs a credit method on labelled failure logs (Who&When format, or native JSONL with labels) and
reports how often its most-blamed agent is the labelled mistake agent (agent-level accuracy) and
how often its most-blamed step is the labelled mistake step, exactly and within ±K steps, with
the calls and prompt tokens it used. Folders are searched for .json and .jsonl files.

  -m, --method NAME   truce, bcd, gbc, all-at-once (the whole log in one prompt, the Who&When
                      baseline) or all (every one of them on the same logs, then a comparison
                      table) (required)
  -c, --config FILE   truce.yaml whose optimizer endpoint (judge, when set, for critics) is used;
                      its optimizer.contextTokens sets the prompt budget
  -k, --within K      tolerance of the step-level accuracy in steps (default 1)
      --samples K     truce: ask each credit call K times at a sampling temperature (the
                      optimizer endpoint's, else 0.7), each a call of its own, and let the
                      decisive answers vote by confidence (default 1; the cost shows in calls)
      --json          print, per method, the summary and every case as JSON: label and pick,
                      calls, promptTokens, clippedChars (characters the prompts left out),
                      decisiveStepSeen (whether the labelled step's text reached the model) and
                      the decisive error the method was told, when it has one; with --method all,
                      {"methods": [...]} in the order above

Without --config: TRUCE_BASE_URL (e.g. http://127.0.0.1:11434/v1) and TRUCE_MODEL (default
${DEFAULT_MODEL}) name the endpoint; OPENAI_API_KEY holds its key unless it is local.

Exit status: 0 when the logs were evaluated, 1 when no labelled log could be read or the endpoint
failed, 2 on bad arguments.`;

/**
 * The log files under `paths`. Folders are walked by their real paths, so a symbolic link back to
 * a folder being walked is reported as the cycle it is instead of being followed until the system
 * gives up (ELOOP).
 */
async function collectFiles(paths: string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (path: string, top: boolean, walking: ReadonlySet<string>): Promise<void> => {
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ELOOP') throw new Error(`${path} is a symbolic link that leads back to itself (a cycle); remove the link or name the files directly.`);
      throw error;
    });
    if (info.isDirectory()) {
      const real = await realpath(path);
      if (walking.has(real)) throw new Error(`${path} is a symbolic link back to ${real}, a folder being read already (a cycle); remove the link or name the files directly.`);
      const inside = new Set([...walking, real]);
      for (const name of (await readdir(path)).sort()) await visit(join(path, name), false, inside);
    } else if (top || /\.jsonl?$/i.test(path)) out.push(path);
  };
  for (const p of paths) await visit(resolve(cwd, p), true, new Set());
  return out;
}

function methodFor(name: Method, executor: LlmClient | undefined, samples: number): CreditMethod {
  // Attribution only: BCD's gradients and GBC's suggestions are never asked for here.
  if (name === 'bcd') return createBcdMethod({ options: { gradients: false } });
  if (name === 'gbc') return createGbcMethod(executor ? { executor } : {});
  if (name === ALL_AT_ONCE) return createAllAtOnceMethod();
  return createTruceMethod({ samples });
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

function costLine(result: MeasuredResult): string {
  const t = result.totals;
  const seen = t.decisiveStepCases ? `, labelled step shown in ${t.decisiveStepSeen}/${t.decisiveStepCases} case(s)` : '';
  return `cost: ${t.calls} call(s), ${t.promptTokens} prompt tokens, ${t.clippedChars} characters clipped${seen}\n`;
}

/** One row per method: the accuracies side by side with what they cost. */
function renderComparison(results: readonly MeasuredResult[]): string {
  const within = results[0]?.summary.within ?? 1;
  const header = ['method', 'agent acc', 'step acc', `±${within}`, 'calls', 'prompt tokens', 'step shown'];
  const rows = results.map((r) => [
    r.summary.method,
    percent(r.summary.agentAccuracy),
    percent(r.summary.stepAccuracy),
    percent(r.summary.stepWithinAccuracy),
    String(r.totals.calls),
    String(r.totals.promptTokens),
    r.totals.decisiveStepCases ? `${r.totals.decisiveStepSeen}/${r.totals.decisiveStepCases}` : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

/** A config for logs that come without a workspace: the methods only read its defaults. */
function standaloneConfig(endpoint: EndpointConfig, files: string[]): TruceConfig {
  return truceConfigSchema.parse({
    agents: [{ id: 'imported', prompt: 'imported.md' }],
    mas: { kind: 'import', files: files.length ? files : ['(none)'] },
    tasks: { file: 'tasks.jsonl' },
    evaluator: { type: 'exact' },
    llm: { executor: { baseUrl: endpoint.baseUrl, model: endpoint.model } },
  });
}

export const evalAttributionCommand: CliCommand = {
  name: 'eval-attribution',
  summary: 'measure how well a credit method finds the labelled culprit in failure logs',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({
        args,
        strict: true,
        allowPositionals: true,
        options: {
          method: { type: 'string', short: 'm' },
          config: { type: 'string', short: 'c' },
          within: { type: 'string', short: 'k', default: '1' },
          samples: { type: 'string', default: '1' },
          json: { type: 'boolean', default: false },
        },
      });
    const method = parsed.values.method;
    if (method === undefined || !([...METHODS, ALL] as readonly string[]).includes(method)) throw new UsageError(`--method must be ${METHODS.join(', ')} or ${ALL}`);
    const methods: Method[] = method === ALL ? [...METHODS] : [method as Method];
    const within = Number(parsed.values.within);
    if (!Number.isInteger(within) || within < 0) throw new UsageError(`--within must be a whole number of at least 0, got "${parsed.values.within}"`);
    const samples = Number(parsed.values.samples);
    if (!Number.isInteger(samples) || samples < 1 || samples > 20) throw new UsageError(`--samples must be a whole number from 1 to 20, got "${parsed.values.samples}"`);
    if (parsed.positionals.length === 0) throw new UsageError('give at least one log file or folder');

    let files: string[];
    try {
      files = await collectFiles(parsed.positionals, io.cwd);
    } catch (error) {
      io.stderr(`truce eval-attribution: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    const trajectories: Trajectory[] = [];
    for (const file of files) {
      const result = await importFile(file, { format: 'auto', ...(io.signal ? { signal: io.signal } : {}) });
      for (const issue of result.errors.filter(isErrorIssue)) io.stderr(`truce eval-attribution: ${file}: ${issue.message}\n`);
      trajectories.push(...result.trajectories);
    }
    if (!trajectories.some((t) => t.labels?.mistakeAgent)) {
      io.stderr(`truce eval-attribution: none of the ${files.length} file(s) holds a log with a mistake-agent label.\n`);
      return EXIT_FAILURE;
    }

    let config: TruceConfig;
    let endpoints: { optimizer: EndpointConfig; judge?: EndpointConfig; executor?: EndpointConfig };
    if (parsed.values.config !== undefined) {
      let file;
      try {
        file = await readConfig(io, parsed.values.config);
      } catch (error) {
        if (error instanceof ConfigReadError) {
          io.stderr(`truce eval-attribution: ${error.message}\n`);
          return EXIT_FAILURE;
        }
        throw error;
      }
      printDiagnostics(io.stderr, file);
      if (!file.config) return EXIT_FAILURE;
      config = file.config;
      endpoints = { optimizer: config.llm.optimizer ?? config.llm.executor, executor: config.llm.executor, ...(config.llm.judge ? { judge: config.llm.judge } : {}) };
    } else {
      const baseUrl = io.env.TRUCE_BASE_URL;
      if (!baseUrl) {
        io.stderr('truce eval-attribution: no endpoint: pass --config truce.yaml or set TRUCE_BASE_URL (and TRUCE_MODEL, OPENAI_API_KEY).\n');
        return EXIT_FAILURE;
      }
      const problem = baseUrlProblem(baseUrl, 'TRUCE_BASE_URL');
      if (problem) {
        io.stderr(`truce eval-attribution: ${problem}\n`);
        return EXIT_FAILURE;
      }
      const endpoint: EndpointConfig = { baseUrl, model: io.env.TRUCE_MODEL || DEFAULT_MODEL };
      endpoints = { optimizer: endpoint };
      config = standaloneConfig(endpoint, files);
    }

    const results: MeasuredResult[] = [];
    try {
      const services = createLlmServices({ env: io.env });
      const clients = createLlmClients(endpoints, services);
      const optimizer = clients.optimizer as NonNullable<typeof clients.optimizer>;
      for (const name of methods) {
        io.stderr(`truce eval-attribution: ${name} on ${trajectories.length} log(s) with ${optimizer.model} at ${optimizer.baseUrl}\n`);
        // Each method gets its own meter over the same clients, so its figures are its own.
        const meter = new AttributionMeter();
        const watched = {
          optimizer: meter.watch(optimizer),
          ...(clients.judge ? { judge: meter.watch(clients.judge) } : {}),
          ...(clients.executor ? { executor: meter.watch(clients.executor) } : {}),
        };
        const notes: string[] = [];
        const context: MethodContext = {
          config,
          prompts: { agents: {}, hash: 'eval-attribution' },
          agents: [],
          optimizer: watched.optimizer,
          ...(watched.judge ? { judge: watched.judge } : {}),
          random: seededRandom(config.tasks.seed),
          ...(io.signal ? { signal: io.signal } : {}),
          ablations: { noCredit: false, noUnits: false },
          note: (message) => notes.push(message),
        };
        const credit = meter.measure(methodFor(name, watched.executor, samples));
        results.push(withCaseFigures(await evaluateAttribution(credit, context, trajectories, within), meter.cases));
        if (notes.length) {
          io.stderr(`truce eval-attribution: ${notes.length} note(s) from ${name}, e.g.:\n`);
          for (const n of notes.slice(0, 5)) io.stderr(`  ${n}\n`);
        }
      }
    } catch (error) {
      // Endpoint problems (refused key, dead server, budget) are the user's to fix; anything else is a bug and propagates.
      if (isLlmError(error)) {
        io.stderr(`truce eval-attribution: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    if (parsed.values.json) {
      io.stdout(`${JSON.stringify(method === ALL ? { methods: results } : results[0], null, 2)}\n`);
    } else {
      const tables = results.map((r) => `${method === ALL ? `== ${r.summary.method} ==\n` : ''}${renderAttributionTable(r)}${costLine(r)}`);
      io.stdout(method === ALL ? `${tables.join('\n')}\n== comparison ==\n${renderComparison(results)}` : tables.join(''));
    }
    return EXIT_OK;
  },
};
