/**
 * `truce intervene <run> --task T [--step S] [--repeats K]`: checks credit's blame of a failed task
 * by re-running the command MAS with the blamed step's model call answered by a corrected reply
 * (core/intervene). The projection is printed and confirmed like a run's (--max-usd, --yes); the
 * result goes to interventions.jsonl in the run folder, the verdict to stderr and, with --json,
 * the whole record to stdout.
 */
import { describeIntervention, intervene, InterventionError, MAX_REPEATS, DEFAULT_REPEATS } from '../../core/intervene';
import { usd } from '../../core/run/spendPlan';
import { RunNotFoundError } from '../../core/store';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { DEFAULT_CONFIG } from '../readConfig';
import { cliConfirmSpend, parseMaxUsd, withMaxUsd } from '../spendGate';
import { decideTrust, untrustedMessage, programsOf } from '../trust';
import { loadOptimizerConfig } from './loadOptimizerConfig';

const usage = `Usage: truce intervene <run|latest> --task T [--step S] [--repeats K] [--json]
                      [--trust] [--max-usd X] [--yes] [--config FILE]

Checks the blame of a failed task by intervention: the optimizer model writes what the blamed
step's agent should have said there, and the command MAS runs the task again K times with the
calls before that step replayed from the run's recording, the step's call answered with the
correction, and the calls after it sent to the endpoint. The share of re-runs that now succeed
is the blame's evidence; it is written to interventions.jsonl in the run folder and shown by
\`truce credit\` and the editor.

  -t, --task T         the failed task to intervene on
  -s, --step S         the step to correct (an id like s7, or "step 7"); default: the step
                       \`truce credit\` blamed for the task
  -k, --repeats K      re-runs (default ${DEFAULT_REPEATS}, at most ${MAX_REPEATS})
      --json           print the intervention record as JSON on stdout
      --trust          run the MAS command of this workspace (see \`truce run --help\`)
      --max-usd X      cap the intervention's LLM cost at X US dollars (instead of budget.maxCost)
  -y, --yes            start even when the projected spend exceeds a cap; it stops at the cap
  -c, --config FILE    the configuration (default: ${DEFAULT_CONFIG})

Only steps produced by a model call TRUCE made or recorded can be corrected: the built-in rounds
MAS, or a command MAS run behind the gateway (mas.gateway, on by default). Steps of imported logs
cannot be intervened on.`;

export const interveneCommand: CliCommand = {
  name: 'intervene',
  summary: 'check a failed task\'s blamed step by re-running the MAS with it corrected',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({
      args,
      strict: true,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        task: { type: 'string', short: 't' },
        step: { type: 'string', short: 's' },
        repeats: { type: 'string', short: 'k' },
        json: { type: 'boolean', default: false },
        trust: { type: 'boolean', default: false },
        'max-usd': { type: 'string' },
        yes: { type: 'boolean', short: 'y', default: false },
      },
    });
    if (parsed.positionals.length !== 1) throw new UsageError('give exactly one run id (or "latest")');
    const v = parsed.values as Record<string, string | boolean | undefined>;
    const task = v.task as string | undefined;
    if (task === undefined || task.trim() === '') throw new UsageError('--task T names the failed task to intervene on');
    const repeatsText = v.repeats as string | undefined;
    if (repeatsText !== undefined && (!/^\d+$/.test(repeatsText) || Number(repeatsText) < 1 || Number(repeatsText) > MAX_REPEATS)) {
      throw new UsageError(`--repeats needs a whole number from 1 to ${MAX_REPEATS}, got "${repeatsText}"`);
    }
    const maxUsd = parseMaxUsd(v['max-usd'] as string | undefined);
    const loaded = await loadOptimizerConfig(io, 'intervene', v.config as string | undefined);
    if (!loaded) return EXIT_FAILURE;
    const trust = decideTrust(loaded.workspaceRoot, v.trust === true, io.env);
    for (const warning of trust.warnings) io.stderr(`truce intervene: warning: ${warning}\n`);
    // As for `truce run`: trust is asked only when a program of the workspace would run (a command MAS or evaluator).
    const programs = programsOf(loaded.config);
    if (programs.length > 0 && !trust.trusted) {
      io.stderr(untrustedMessage('intervene', loaded.workspaceRoot, programs, io.env));
      return EXIT_FAILURE;
    }
    try {
      const result = await intervene({
        config: withMaxUsd(loaded.config, maxUsd),
        workspaceRoot: loaded.workspaceRoot,
        runId: parsed.positionals[0] as string,
        taskId: task,
        ...(v.step !== undefined ? { step: v.step as string } : {}),
        ...(repeatsText !== undefined ? { repeats: Number(repeatsText) } : {}),
        env: io.env,
        trusted: trust.trusted,
        confirmSpend: cliConfirmSpend(io, 'intervene', v.yes === true),
        ...(loaded.llm ? { llm: loaded.llm } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
        onProgress: (event) => {
          if (event.type === 'target') io.stderr(`truce intervene: task ${event.taskId}, step ${event.stepId} (${event.agentId}, call ${event.callId}), ${event.source === 'credit' ? 'blamed by credit' : 'chosen with --step'}\n`);
          else if (event.type === 'correction') io.stderr(`truce intervene: corrected reply: ${oneLine(event.correction)}\n`);
          else {
            const r = event.repeat;
            const verdict = r.failure !== undefined ? `no verdict: ${r.failure}` : r.success ? 'succeeds' : 'still fails';
            io.stderr(`truce intervene: [${r.index + 1}/${event.of}] ${r.reached ? verdict : `never reached the corrected call (${verdict})`} · ${r.replayed} replayed, ${r.live} live${r.missed ? `, ${r.missed} missed` : ''}\n`);
          }
        },
      });
      const r = result.record;
      io.stderr(`truce intervene: ${describeIntervention(r)} · spent ${r.spend.calls} calls, ${usd(r.spend.costUsd)} · written to ${result.dir}/interventions.jsonl\n`);
      if (v.json) io.stdout(`${JSON.stringify(r, null, 2)}\n`);
      else io.stdout(`${describeIntervention(r)}\n`);
      return EXIT_OK;
    } catch (error) {
      if (error instanceof InterventionError || error instanceof RunNotFoundError) {
        io.stderr(`truce intervene: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
  },
};

function oneLine(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 200 ? `${one.slice(0, 199)}…` : one;
}
