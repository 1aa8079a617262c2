/**
 * `truce optimize`: the optimizer loop (core/optimize/optimizeLoop.ts) over truce.yaml. Progress
 * goes to stderr; stdout gets one JSON summary naming accepted and rejected suggestions with
 * their reasons, val/test before and after, and calls/tokens/cost per phase.
 */
import { defaultMasBackend, describeSpend } from '../../core/run';
import { optimize, OptimizeSetupError, type OptimizeProgress } from '../../core/optimize/optimizeLoop';
import { resolveMethod, UnknownMethodError } from '../../core/credit/resolveMethod';
import { createGbcMethod } from '../../core/credit/gbc';
import { methodRegistry } from '../../core/methods';
import { OptimizeRunLock } from '../../core/optimize/optimizeRunLock';
import { RunBusyError, RunRefError } from '../../core/store';
import { testPause } from '../../core/testPause';
import type { MethodName } from '../../core/credit/types';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { DEFAULT_CONFIG } from '../readConfig';
import { cliConfirmSpend, parseMaxUsd, resumeLine, withMaxUsd } from '../spendGate';
import { decideTrust, programsOf, untrustedMessage } from '../trust';
import { loadOptimizerConfig } from './loadOptimizerConfig';

declare const TRUCE_VERSION: string | undefined;

const usage = `Usage: truce optimize [--method truce|bcd|gbc] [--rounds K] [--top-k k] [--batch-size N]
                      [--resume RUN] [--no-credit] [--no-units] [--uniform-weights]
                      [--delta D] [--gate paired|hoeffding] [--llm-merge] [--trust] [--config FILE]
                      [--max-usd X] [--yes]

Optimizes the prompt rules of truce.yaml's agents: each round rolls out the best prompt set on a
sample of train tasks, assigns credit, proposes unit edits, pools them across tasks, and accepts
the edited set only when validation shows it is better (by default task by task against the
current best, stopping as soon as the answer is clear). Prompt files are not changed;
the best set is stored in .truce/runs/<run>/best/ and suggestions can be applied with
\`truce apply\`.

  -c, --config FILE   the configuration (default: ${DEFAULT_CONFIG})
      --method NAME   credit method (default: optimizer.method)
      --rounds K      optimization rounds (default: optimizer.rounds)
      --top-k k       suggestions kept per round (default: optimizer.topK)
      --batch-size N  train tasks per round (default: optimizer.batchSize)
      --delta D       chance of accepting a set that is not better, over the run (default 0.1)
      --gate NAME     paired (default: optimizer.gate) or hoeffding: how validation decides
      --llm-merge     let the optimizer LLM merge near-duplicate suggestions
      --no-credit     ablation: suggestions from outcomes only (truce, bcd; gbc refuses it)
      --no-units      ablation: one global rewrite of each implicated agent's whole rule list
                      per round instead of unit edits pooled across tasks
      --uniform-weights  gbc's own ablation: every connection weight equal, no estimator calls
      --resume RUN    continue an interrupted optimize run; finished rounds are not redone
      --max-usd X     cap the LLM cost of the whole optimize run (rollouts included, earlier
                      invocations of a resumed run too) at X US dollars, instead of budget.maxCost
  -y, --yes           start even when the projected spend exceeds a cap: the run stops cleanly at
                      the cap and --resume continues it with a larger one. Without it a terminal
                      is asked, and without a terminal (CI) such a run is refused
      --trust         run the programs truce.yaml names (a command MAS or evaluator) in this
                      workspace; also TRUCE_TRUST=1, or list the folder in ~/.config/truce/trusted.json

Exit status: 0 when the run completed, 1 when it stopped early or failed, 2 on bad arguments.`;

function whole(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} needs a whole number of at least 1, got "${value}"`);
  return Number(value);
}

function progressLine(e: OptimizeProgress): string | undefined {
  switch (e.type) {
    case 'started':
      return `optimize ${e.runId}: ${e.rounds} rounds${e.resumedAfter ? ` (${e.resumedAfter} done before)` : ''}, ${e.batch} train tasks per round; projected per round ${describeSpend(e.perRound, e.perRound.unpricedRoles.length === 0)}; whole run ${describeSpend(e.total, e.total.unpricedRoles.length === 0)}${e.total.byPhase.intervention ? `, of which at most ${e.total.byPhase.intervention.calls} calls check uncertain blame by intervention (optimizer.intervene)` : ''}${e.total.exceeds.length ? ` — over the budget (${e.total.exceeds.join(', ')}); it stops when the budget runs out` : ''}`;
    case 'stage':
      return `round ${e.round}: ${e.stage}…`;
    case 'note':
      return `  note: ${e.message}`;
    case 'round': {
      const d = e.record.decision;
      const verdict = d ? `${d.accepted ? 'ACCEPTED' : 'rejected'}: ${d.reason}` : 'no candidate';
      const pruning = (e.record.pruning ?? []).map((p) => `\n  ${p.reason}`).join('');
      return `round ${e.record.round} done: train ${e.record.trainScore.toFixed(3)}, ${e.record.suggestions.retained.length} retained, ${verdict}${pruning}`;
    }
    case 'finished':
      return `optimize ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
  }
}

export const optimizeCommand: CliCommand = {
  name: 'optimize',
  summary: 'optimize prompt rules with credit, unit edits and validation',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const v = parseCliArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        method: { type: 'string' },
        rounds: { type: 'string' },
        'top-k': { type: 'string' },
        'batch-size': { type: 'string' },
        delta: { type: 'string' },
        'llm-merge': { type: 'boolean', default: false },
        'no-credit': { type: 'boolean', default: false },
        'no-units': { type: 'boolean', default: false },
        'uniform-weights': { type: 'boolean', default: false },
        gate: { type: 'string' },
        resume: { type: 'string' },
        trust: { type: 'boolean', default: false },
        'max-usd': { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
      },
    }).values;
    const maxUsd = parseMaxUsd(v['max-usd']);
    if (v.method !== undefined && !['truce', 'bcd', 'gbc'].includes(v.method)) throw new UsageError(`--method must be truce, bcd or gbc, got "${v.method}"`);
    const delta = v.delta === undefined ? undefined : Number(v.delta);
    if (delta !== undefined && !(delta > 0 && delta < 1)) throw new UsageError(`--delta must be a number between 0 and 1, got "${v.delta}"`);
    if (v.gate !== undefined && v.gate !== 'paired' && v.gate !== 'hoeffding') throw new UsageError(`--gate must be paired or hoeffding, got "${v.gate}"`);
    if (v['uniform-weights'] === true && v.method !== 'gbc') throw new UsageError('--uniform-weights is GBC\'s ablation: pass it with --method gbc');
    // An ablation a method cannot run is refused before anything is spent (the loop refuses it
    // too, for a method that comes from truce.yaml).
    if (v.method !== undefined) {
      const refused = resolveMethod(v.method as MethodName, methodRegistry()).refusedAblations ?? {};
      if (v['no-credit'] === true && refused.noCredit) throw new UsageError(`--no-credit does not apply to --method ${v.method}: ${refused.noCredit}`);
      if (v['no-units'] === true && refused.noUnits) throw new UsageError(`--no-units does not apply to --method ${v.method}: ${refused.noUnits}`);
    }
    const rounds = whole('--rounds', v.rounds);
    const topK = whole('--top-k', v['top-k']);
    const batchSize = whole('--batch-size', v['batch-size']);
    const loaded = await loadOptimizerConfig(io, 'optimize', v.config);
    if (!loaded) return EXIT_FAILURE;
    const trust = decideTrust(loaded.workspaceRoot, v.trust === true, io.env);
    for (const warning of trust.warnings) io.stderr(`truce optimize: warning: ${warning}\n`);
    const programs = programsOf(loaded.config);
    if (programs.length > 0 && !trust.trusted) {
      io.stderr(untrustedMessage('optimize', loaded.workspaceRoot, programs, io.env));
      return EXIT_FAILURE;
    }
    // The loop reads the prompt files itself; refuse binary or oversized ones before it starts.
    try {
      await defaultMasBackend.loadPromptSet(loaded.config, { workspaceRoot: loaded.workspaceRoot, trusted: false, env: io.env });
    } catch (error) {
      io.stderr(`truce optimize: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    const lock = new OptimizeRunLock();
    if (v.resume) {
      try {
        lock.resume(loaded.workspaceRoot, v.resume);
      } catch (error) {
        if (!(error instanceof RunRefError || error instanceof RunBusyError)) throw error;
        io.stderr(`truce optimize: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      await testPause('resume');
    }
    let result;
    try {
      result = await optimize({
        config: withMaxUsd(loaded.config, maxUsd),
        workspaceRoot: loaded.workspaceRoot,
        confirmSpend: cliConfirmSpend(io, 'optimize', v.yes === true),
        methods: methodRegistry(v['uniform-weights'] === true ? { gbc: () => createGbcMethod({ options: { uniformWeights: true } }) } : {}),
        ...(v.gate ? { gate: v.gate as 'paired' | 'hoeffding' } : {}),
        ...(v.method ? { method: v.method as MethodName } : {}),
        ...(rounds !== undefined ? { rounds } : {}),
        ...(topK !== undefined ? { topK } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        ...(delta !== undefined ? { delta } : {}),
        ...(v['llm-merge'] === true ? { llmMerge: true } : {}),
        noCredit: v['no-credit'] === true,
        noUnits: v['no-units'] === true,
        ...(v.resume ? { resumeRunId: v.resume } : {}),
        ...(loaded.llm ? { llm: loaded.llm } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
        env: io.env,
        trusted: trust.trusted,
        toolVersion: typeof TRUCE_VERSION === 'string' ? TRUCE_VERSION : 'dev',
        onProgress: (e) => {
          if (e.type === 'started') lock.started(loaded.workspaceRoot, e.runId);
          const line = progressLine(e);
          if (line !== undefined) io.stderr(`${line}\n`);
        },
      });
    } catch (error) {
      if (error instanceof OptimizeSetupError || error instanceof UnknownMethodError) {
        io.stderr(`truce optimize: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    } finally {
      lock.release();
    }
    if (result.status !== 'completed') io.stderr(`${resumeLine(`truce optimize${v.config ? ` --config ${v.config}` : ''}`, result.runId, result.status === 'stopped-budget' ? result.reason ?? '' : undefined)}\n`);
    const summary = {
      runId: result.runId,
      status: result.status,
      ...(result.reason ? { reason: result.reason } : {}),
      method: result.method,
      rounds: result.rounds.length,
      val: result.val,
      test: result.test,
      bestChanged: result.bestChanged,
      accepted: result.accepted,
      rejected: result.rejected,
      perRound: result.rounds.map((r) => ({ round: r.round, trainScore: r.trainScore, accepted: r.accepted, decision: r.decision?.reason ?? 'no candidate', ...(r.pruning ? { pruning: r.pruning.map((p) => p.reason) } : {}), ...(r.interventions ? { interventions: r.interventions.map((i) => ({ taskId: i.taskId, stepId: i.stepId, agentId: i.agentId, verdict: i.verdict, flips: i.flips, runs: i.runs, calls: i.spend.calls })) } : {}), usage: r.usage })),
      usage: result.usage,
    };
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    return result.status === 'completed' ? EXIT_OK : EXIT_FAILURE;
  },
};
