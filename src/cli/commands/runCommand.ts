/**
 * `truce run`: runs the configured MAS over the task set into `.truce/runs/<id>/`. Progress goes
 * to stderr (one line per finished task and a final line), the summary JSON to stdout. All the
 * work is in core/run; this file parses flags, applies the environment overrides and reports.
 */
import { relative } from 'node:path';
import { DemoWorldError, NamedEndpointUnreachableError, resolveDemoMode } from '../../core/demo';
import type { UsageTotals } from '../../core/llm';
import { applyExecutorOverrides, describeSpend, RunSetupError, runMas, type RunProgress } from '../../core/run';
import { RunStoreError } from '../../core/store';
import type { SplitName } from '../../core/tasks';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { ConfigReadError, DEFAULT_CONFIG, printDiagnostics, readConfig } from '../readConfig';
import { cliConfirmSpend, parseMaxUsd, resumeLine, withMaxUsd } from '../spendGate';
import { decideTrust, programsOf, untrustedMessage } from '../trust';

declare const TRUCE_VERSION: string | undefined;

const usage = `Usage: truce run [--config FILE] [--split train|val|test] [--limit N] [--concurrency N]
                 [--resume RUN] [--replay [RUN]] [--trust] [--max-usd X] [--yes]

Runs the MAS of truce.yaml on its tasks, scores every answer with the configured evaluator and
records trajectories, LLM calls and a summary in .truce/runs/<run-id>/.

  -c, --config FILE      the configuration (default: ${DEFAULT_CONFIG})
      --split NAME       run only the train, val or test split (default: all tasks)
      --limit N          run at most N tasks (the first ones of the tasks file)
      --concurrency N    tasks in flight at once (default: concurrency in truce.yaml)
      --resume RUN       continue an interrupted run: finished tasks are skipped, and calls
                         answered before come from the response cache (.truce/cache) for free
      --replay           answer every call from the response cache; fail on a call that was
                         never recorded, never touch the network
      --replay RUN       a command MAS behind the gateway: answer its calls from what RUN
                         recorded (same request, same place in the task's execution, same
                         repeat); a request that differs goes to the endpoint and is marked
      --trust            run the programs truce.yaml names (a command MAS or evaluator) in this
                         workspace; also TRUCE_TRUST=1, or list the folder in ~/.config/truce/trusted.json
      --max-usd X        cap the run's LLM cost at X US dollars (instead of budget.maxCost); with
                         --resume, the cap for the whole run, earlier invocations included
  -y, --yes              start even when the projected spend exceeds a cap: the run stops cleanly
                         at the cap and can be resumed with a larger one. Without it a terminal
                         is asked, and without a terminal (CI) such a run is refused

The projected calls, tokens and cost and the caps are printed before anything is spent.

Environment: TRUCE_BASE_URL (or OPENAI_BASE_URL) and TRUCE_MODEL replace the executor's baseUrl
and model; OPENAI_API_KEY (or the variable named by apiKeyEnv) holds the key.

Progress goes to stderr, the run summary (JSON) to stdout. Ctrl-C stops after cancelling the
calls in flight; the run can then be resumed.
Exit status: 0 when every task ran and none failed, 1 on failed tasks or a stopped run, 2 on bad
arguments.`;

interface Options {
  config?: string;
  split?: SplitName;
  limit?: number;
  concurrency?: number;
  resume?: string;
  replay: boolean;
  /** `--replay RUN`: the run whose gateway recordings answer the MAS's calls. */
  replayRun?: string;
  trust: boolean;
  maxUsd?: number;
  yes: boolean;
}

/**
 * `--replay` alone is the response-cache replay; `--replay RUN` (or `--replay=RUN`) names a run to
 * replay. Since run takes no positionals, a word right after `--replay` can only be its run.
 */
function takeReplayRun(args: string[]): { args: string[]; replayRun?: string } {
  const rest: string[] = [];
  let replayRun: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('--replay=')) {
      replayRun = arg.slice('--replay='.length);
      if (replayRun === '') throw new UsageError('--replay= needs a run id, e.g. --replay latest');
      continue;
    }
    const next = args[i + 1];
    if (arg === '--replay' && next !== undefined && !next.startsWith('-')) {
      replayRun = next;
      i++;
      continue;
    }
    rest.push(arg);
  }
  return { args: rest, ...(replayRun !== undefined ? { replayRun } : {}) };
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} needs a whole number of at least 1, got "${value}"`);
  return Number(value);
}

function parseOptions(given: string[]): Options {
  const { args, replayRun } = takeReplayRun(given);
  const parsed = parseCliArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        split: { type: 'string' },
        limit: { type: 'string' },
        concurrency: { type: 'string' },
        resume: { type: 'string' },
        replay: { type: 'boolean', default: false },
        trust: { type: 'boolean', default: false },
        'max-usd': { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
      },
    });
  const v = parsed.values;
  if (v.split !== undefined && !['train', 'val', 'test'].includes(v.split)) throw new UsageError(`--split must be train, val or test, got "${v.split}"`);
  if (v.resume !== undefined && (v.split !== undefined || v.limit !== undefined)) {
    throw new UsageError('--resume continues the tasks the run was started with; it cannot be combined with --split or --limit');
  }
  const options: Options = { replay: v.replay === true, trust: v.trust === true, yes: v.yes === true, ...(replayRun !== undefined ? { replayRun } : {}) };
  if (options.replay && replayRun !== undefined) throw new UsageError('give --replay once: alone (the response cache) or with the run to replay');
  const maxUsd = parseMaxUsd(v['max-usd']);
  if (maxUsd !== undefined) options.maxUsd = maxUsd;
  if (v.config !== undefined) options.config = v.config;
  if (v.split !== undefined) options.split = v.split as SplitName;
  const limit = positiveInt('--limit', v.limit);
  if (limit !== undefined) options.limit = limit;
  const concurrency = positiveInt('--concurrency', v.concurrency);
  if (concurrency !== undefined) options.concurrency = concurrency;
  if (v.resume !== undefined) options.resume = v.resume;
  return options;
}

function usageLine(u: UsageTotals): string {
  const cost = u.costUsd > 0 ? ` $${u.costUsd.toFixed(4)}` : '';
  return `calls ${u.calls} (cached ${u.cachedCalls}) tokens ${u.inputTokens}/${u.outputTokens}${cost}`;
}

function progressLine(event: RunProgress): string | undefined {
  switch (event.type) {
    case 'started': {
      const priced = event.projection.unpricedRoles.length === 0;
      const resumed = event.skipped ? `, ${event.skipped} already finished` : '';
      const estimate = event.projection.complete ? `projected ${describeSpend(event.projection, priced)}` : 'calls of a command MAS are not projected';
      return `run ${event.runId}: ${event.pending} tasks to run${resumed}; ${estimate}`;
    }
    case 'task': {
      const width = String(event.total).length;
      const mark = event.failure !== undefined ? `FAILED: ${event.failure}` : `score ${event.score.toFixed(2)} ${event.success ? 'ok' : 'wrong'}`;
      return `[${String(event.done).padStart(width)}/${event.total}] ${event.taskId} (${event.split}) ${mark} · ${usageLine(event.usage)}`;
    }
    case 'interrupted':
      return `${event.taskId}: interrupted (${event.reason}); it runs again on resume`;
    case 'finished':
      return undefined;
  }
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run the MAS on the task set and record the run',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const options = parseOptions(args);
    let file;
    try {
      file = await readConfig(io, options.config);
    } catch (error) {
      if (error instanceof ConfigReadError) {
        io.stderr(`truce run: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    printDiagnostics(io.stderr, file);
    if (!file.config) {
      io.stderr(`truce run: ${file.shown} has errors; nothing was run.\n`);
      return EXIT_FAILURE;
    }
    let overridden;
    try {
      overridden = applyExecutorOverrides(file.config, io.env);
    } catch (error) {
      io.stderr(`truce run: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    for (const note of overridden.applied) io.stderr(`truce run: ${note}\n`);
    let demo;
    try {
      demo = await resolveDemoMode(overridden.config, { workspaceRoot: file.workspaceRoot, ...(io.signal ? { signal: io.signal } : {}), ...(overridden.baseUrlFrom ? { endpointFrom: overridden.baseUrlFrom } : {}) });
    } catch (error) {
      if (!(error instanceof DemoWorldError) && !(error instanceof NamedEndpointUnreachableError)) throw error;
      io.stderr(`truce run: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    if (demo.active) io.stderr(`truce run: ${demo.notice}\n`);
    const trust = decideTrust(file.workspaceRoot, options.trust, io.env);
    for (const warning of trust.warnings) io.stderr(`truce run: warning: ${warning}\n`);
    const programs = programsOf(overridden.config);
    if (programs.length > 0 && !trust.trusted) {
      io.stderr(untrustedMessage('run', file.workspaceRoot, programs, io.env));
      return EXIT_FAILURE;
    }

    let result;
    try {
      result = await runMas({
        config: withMaxUsd(demo.active ? demo.config : overridden.config, options.maxUsd),
        configFile: relative(file.workspaceRoot, file.path),
        ...(demo.active ? { llm: demo.llm } : {}),
        workspaceRoot: file.workspaceRoot,
        ...(options.split ? { split: options.split } : {}),
        ...(options.limit !== undefined ? { limit: options.limit } : {}),
        ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options.resume !== undefined ? { resumeRunId: options.resume } : {}),
        ...(options.replay ? { cacheMode: 'replay' as const } : {}),
        ...(options.replayRun !== undefined ? { replayRunId: options.replayRun } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
        env: io.env,
        confirmSpend: cliConfirmSpend(io, 'run', options.yes),
        trusted: trust.trusted,
        toolVersion: typeof TRUCE_VERSION === 'string' ? TRUCE_VERSION : 'dev',
        onProgress: (event) => {
          const line = progressLine(event);
          if (line !== undefined) io.stderr(`${line}\n`);
        },
      });
    } catch (error) {
      if (error instanceof RunStoreError) {
        io.stderr(`truce run: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      if (error instanceof RunSetupError) {
        io.stderr(`truce run: ${error.message}\n`);
        for (const line of error.details.slice(0, 20)) io.stderr(`  ${line}\n`);
        if (error.details.length > 20) io.stderr(`  … and ${error.details.length - 20} more\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    const s = result.summary;
    const mean = s.scores.all.meanScore === null ? 'no scores' : `mean score ${s.scores.all.meanScore.toFixed(3)}, success ${((s.scores.all.successRate ?? 0) * 100).toFixed(0)}%`;
    io.stderr(
      `run ${result.runId} ${result.status}: ${s.tasks.finished}/${s.tasks.planned} tasks, ${s.tasks.failed} failed, ${mean} · ${usageLine(s.usage.total)}` +
        `${s.statusReason && result.status !== 'completed' ? ` — ${s.statusReason}` : ''}\n`,
    );
    if (result.status !== 'completed') {
      const configFlag = options.config !== undefined ? ` --config ${options.config}` : '';
      io.stderr(`${resumeLine(`truce run${configFlag}`, result.runId, result.status === 'stopped-budget' ? s.statusReason ?? '' : undefined)}\n`);
    }
    io.stdout(`${JSON.stringify(s, null, 2)}\n`);
    return result.status === 'completed' && s.tasks.failed === 0 ? EXIT_OK : EXIT_FAILURE;
  },
};
