/**
 * `truce credit <run>` and `truce suggest <run>`: TRUCE credit (Φ) on a stored run, and unit-edit
 * suggestions (Ψ) from that credit, written next to the run (credit.json, credit.jsonl,
 * suggestions.json). stdout gets a table, or JSON with --json.
 */
import { summarizeUnitCredit } from '../../core/credit/truce/unitCredit';
import { blameRows, readInterventions } from '../../core/intervene';
import { isLlmError } from '../../core/llm';
import { creditStoredRun, suggestForStoredRun } from '../../core/storedRunCredit';
import { resolve } from 'node:path';
import { RunNotFoundError, writeOutputFile } from '../../core/store';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { DEFAULT_CONFIG } from '../readConfig';
import { loadOptimizerConfig } from './loadOptimizerConfig';
import { emitSarif } from './sarifOutput';

function parse(args: string[], extra: Record<string, { type: 'boolean' | 'string'; default?: boolean; short?: string }> = {}) {
  const parsed = parseCliArgs({ args, strict: true, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false }, ...extra } });
  if (parsed.positionals.length !== 1) throw new UsageError('give exactly one run id (or "latest")');
  return { run: parsed.positionals[0] as string, values: parsed.values as Record<string, string | boolean | undefined> };
}

async function guarded(io: CliIO, name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof RunNotFoundError || isLlmError(error) || (error as Error).message?.includes('has no credit yet')) {
      io.stderr(`truce ${name}: ${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export const creditCommand: CliCommand = {
  name: 'credit',
  summary: 'assign TRUCE credit to a stored run (sub-trajectories and rules)',
  usage: `Usage: truce credit <run|latest> [--json] [--config FILE]

Runs TRUCE's credit step (Φ) on the stored run's trajectories with the optimizer endpoint, and
derives credit per rule. Writes credit.json and credit.jsonl into .truce/runs/<run>/ and prints
the rule credit (most blamed first) and the blamed step of each failed task with what
\`truce intervene\` found about it, or everything as JSON with --json.

  -c, --config FILE   the configuration (default: ${DEFAULT_CONFIG})`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { run, values } = parse(args);
    const loaded = await loadOptimizerConfig(io, 'credit', values.config as string | undefined);
    if (!loaded) return EXIT_FAILURE;
    return guarded(io, 'credit', async () => {
      const r = await creditStoredRun({ config: loaded.config, workspaceRoot: loaded.workspaceRoot, runId: run, env: io.env, ...(loaded.llm ? { llm: loaded.llm } : {}), ...(io.signal ? { signal: io.signal } : {}) });
      for (const n of r.notes) io.stderr(`note: ${n}\n`);
      const table = summarizeUnitCredit(r.report.signals);
      // The blamed step of each failed task, with what an intervention (truce intervene) found about it.
      const interventions = await readInterventions(r.dir);
      for (const problem of interventions.problems) io.stderr(`note: ${problem}\n`);
      const blame = blameRows(r.report, interventions.records, r.runId);
      if (values.json) io.stdout(`${JSON.stringify({ runId: r.runId, units: table, signals: r.report.signals, blame: blame.map(({ intervention: _record, ...row }) => row), usage: r.usage }, null, 2)}\n`);
      else {
        io.stdout(`${pad('unit', 28)} ${pad('credit', 7)} tasks\n`);
        for (const row of table) io.stdout(`${pad(row.unitId, 28)} ${pad(row.score.toFixed(2), 7)} ${row.tasks}\n`);
        if (!table.length) io.stdout('(no rule was implicated)\n');
        if (blame.length) io.stdout('\nblamed steps of failed tasks:\n');
        for (const row of blame) io.stdout(`${row.taskId}: ${row.stepId ? `step ${row.stepId} (${row.agentId ?? '?'})` : 'no step'} — ${row.evidence}\n`);
      }
      io.stderr(`credit written to ${r.dir}/credit.jsonl (${r.report.signals.length} signals)\n`);
      return EXIT_OK;
    });
  },
};

export const suggestCommand: CliCommand = {
  name: 'suggest',
  summary: 'propose unit edits from a stored run\'s credit',
  usage: `Usage: truce suggest <run|latest> [--top-k k] [--no-credit] [--json | --format table|json|sarif]
                     [--out FILE] [--config FILE]

Runs TRUCE's suggestion step (Ψ) from the credit stored by \`truce credit\`, pools the
proposals across the run's tasks and writes suggestions.json into .truce/runs/<run>/. Apply one
with \`truce apply <suggestion-id> --run <run>\`.

  -c, --config FILE   the configuration (default: ${DEFAULT_CONFIG})
      --top-k k       suggestions to retain (default: optimizer.topK)
      --no-credit     suggest from outcomes only, without stored credit
  -f, --format FMT    table (default), json (as --json), or sarif: SARIF 2.1.0 for code
                      scanning, the open suggestions (with fixes) and the blamed rules
  -o, --out FILE      write the json or sarif output to FILE instead of stdout`,
  async run(args: string[], io: CliIO): Promise<number> {
    const { run, values } = parse(args, { 'top-k': { type: 'string' }, 'no-credit': { type: 'boolean', default: false }, format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' } });
    const topK = values['top-k'] === undefined ? undefined : Number(values['top-k']);
    if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) throw new UsageError(`--top-k needs a whole number of at least 1, got "${String(values['top-k'])}"`);
    const format = (values.format as string | undefined) ?? (values.json ? 'json' : 'table');
    if (!['table', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be table, json or sarif, got "${format}"`);
    if (values.json && format !== 'json') throw new UsageError(`--json and --format ${format} ask for two outputs; give one`);
    if (values.out !== undefined && format === 'table') throw new UsageError('--out writes json or sarif output; add --format json or --format sarif');
    const loaded = await loadOptimizerConfig(io, 'suggest', values.config as string | undefined);
    if (!loaded) return EXIT_FAILURE;
    return guarded(io, 'suggest', async () => {
      const r = await suggestForStoredRun({
        config: loaded.config,
        workspaceRoot: loaded.workspaceRoot,
        runId: run,
        env: io.env,
        noCredit: values['no-credit'] === true,
        ...(topK !== undefined ? { topK } : {}),
        ...(loaded.llm ? { llm: loaded.llm } : {}),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      for (const n of r.notes) io.stderr(`note: ${n}\n`);
      io.stderr(`suggestions written to ${r.dir}/suggestions.json\n`);
      const out = values.out as string | undefined;
      if (format === 'sarif') return emitSarif(io, 'suggest', { workspaceRoot: loaded.workspaceRoot, config: loaded.config, run: r.runId, ...(out !== undefined ? { out } : {}) });
      if (format === 'json') {
        const text = `${JSON.stringify({ runId: r.runId, suggestions: r.suggestions, usage: r.usage }, null, 2)}\n`;
        if (out !== undefined) await writeOutputFile(resolve(io.cwd, out), text);
        else io.stdout(text);
      } else {
        for (const s of r.suggestions) {
          const what = s.edit.op === 'ADD' ? `ADD to ${s.edit.agentId}` : `${s.edit.op} ${s.edit.targetUnitId}`;
          io.stdout(`${s.id} ${s.status === 'proposed' ? 'retained' : 'dropped '} support ${(s.support * 100).toFixed(0)}% ${what}${s.edit.newText ? `: ${s.edit.newText}` : ''}\n`);
        }
        if (!r.suggestions.length) io.stdout('(no suggestions)\n');
      }
      return EXIT_OK;
    });
  },
};
