/**
 * `truce apply <suggestion-id>` and `truce revert <edit-id>`: suggestions onto the prompt files
 * through the edit ledger, and back. --dry-run prints the unified diff and changes nothing.
 */
import { readdir } from 'node:fs/promises';
import { applySuggestionToDisk, planSuggestionOnDisk, revertEdit } from '../../core/optimize/ledger';
import { readSuggestions } from '../../core/optimize/optimizeStore';
import type { Suggestion } from '../../core/credit/types';
import { isRunId, resolveRunId, runDir, RunNotFoundError, RunRefError, runsDir } from '../../core/store';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { DEFAULT_CONFIG } from '../readConfig';
import { loadOptimizerConfig } from './loadOptimizerConfig';

/** The suggestion and the run that holds it: the given run (`latest`: the newest run), else the newest run that has it. */
async function findSuggestion(workspaceRoot: string, id: string, run?: string): Promise<{ suggestion: Suggestion; runId: string } | undefined> {
  let runs: string[];
  if (run) runs = [await resolveRunId(workspaceRoot, run)];
  else {
    try {
      runs = (await readdir(runsDir(workspaceRoot))).filter(isRunId).sort().reverse();
    } catch {
      runs = [];
    }
  }
  for (const r of runs) {
    const found = (await readSuggestions(runDir(workspaceRoot, r))).find((s) => s.id === id);
    if (found) return { suggestion: found, runId: r };
  }
  return undefined;
}

export const applyCommand: CliCommand = {
  name: 'apply',
  summary: 'apply a suggestion to the prompt files (recorded in the edit ledger)',
  usage: `Usage: truce apply <suggestion-id> [--run RUN|latest] [--dry-run] [--config FILE]

Applies one suggestion (from suggestions.json of RUN, or of the newest run that has it) to its
prompt file as a minimal unit edit, atomically, and records it in .truce/ledger.jsonl with the
file's exact previous bytes. A suggestion whose rule changed since it was made is stale and is
not applied. --dry-run prints the unified diff instead.

  -c, --config FILE   the configuration (default: ${DEFAULT_CONFIG})`,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({ args, strict: true, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, run: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
    if (parsed.positionals.length !== 1) throw new UsageError('give exactly one suggestion id');
    const id = parsed.positionals[0] as string;
    // Applying an edit calls no model: the endpoint need not answer, nor the demo world stand in.
    const loaded = await loadOptimizerConfig(io, 'apply', parsed.values.config, false);
    if (!loaded) return EXIT_FAILURE;
    let found;
    try {
      found = await findSuggestion(loaded.workspaceRoot, id, parsed.values.run);
    } catch (error) {
      if (!(error instanceof RunRefError) && !(error instanceof RunNotFoundError)) throw error;
      io.stderr(`truce apply: --run ${error.message}\n`);
      return EXIT_FAILURE;
    }
    if (!found) {
      io.stderr(`truce apply: no suggestion ${id}${parsed.values.run ? ` in run ${parsed.values.run}` : ' in any run'}; list them with \`truce suggest <run>\` or see suggestions.json of an optimize run.\n`);
      return EXIT_FAILURE;
    }
    if (parsed.values['dry-run']) {
      const plan = await planSuggestionOnDisk(loaded.workspaceRoot, loaded.config, found.suggestion);
      if (!plan.ok) {
        io.stderr(`truce apply: ${id} is ${plan.status}: ${plan.reason}\n`);
        return EXIT_FAILURE;
      }
      io.stdout(plan.diff);
      return EXIT_OK;
    }
    const r = await applySuggestionToDisk(loaded.workspaceRoot, loaded.config, found.suggestion, found.runId);
    if (!r.ok) {
      io.stderr(`truce apply: ${id} was not applied (${r.status}): ${r.reason}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`applied ${id} to ${r.entry.file} as edit ${r.entry.editId}; undo with \`truce revert ${r.entry.editId}\`\n`);
    io.stdout(`${JSON.stringify(r.entry, null, 2)}\n`);
    return EXIT_OK;
  },
};

export const revertCommand: CliCommand = {
  name: 'revert',
  summary: 'undo an applied edit, restoring the exact previous file',
  usage: `Usage: truce revert <edit-id>

Restores the prompt file an applied edit changed to its exact previous bytes, and records the
revert in .truce/ledger.jsonl. Refused when the file changed since the edit (the later changes
would be lost). Run it in the workspace folder.`,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({ args, strict: true, allowPositionals: true, options: {} });
    if (parsed.positionals.length !== 1) throw new UsageError('give exactly one edit id');
    const r = await revertEdit(io.cwd, parsed.positionals[0] as string);
    if (!r.ok) {
      io.stderr(`truce revert: ${r.reason}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`reverted ${r.entry.revertOf} in ${r.entry.file}\n`);
    io.stdout(r.diff);
    return EXIT_OK;
  },
};
