/** `truce units <file...> [--json]`: the policy units of prompt files, as a table or as JSON. */
import { relative, resolve } from 'node:path';
import { DEFAULT_PROMPT_MAX_BYTES, PromptFileError, readPromptFile } from '../../core/promptFileGuard';
import { parsePromptDocument, type PromptDocument, type PolicyUnit } from '../../core/units';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';

const usage = `Usage: truce units <file...> [--json] [--max-bytes N]

Lists the policy units (single behavioural rules) of each prompt file with their exact ranges.
  --json          print {"files":[{path, format, agents:[{id, kind, units:[…]}], errors:[…]}]}
  --max-bytes N   refuse files larger than N bytes (default ${DEFAULT_PROMPT_MAX_BYTES}, 4 MB)
Lines and characters are 0-based; offsets count UTF-16 code units, as VS Code does.
Exit status: 0 when every file was read and parsed, 1 when one could not be (binary, not UTF-8,
too large, unreadable, or with parse errors: each is named on stderr), 2 on bad arguments.`;

/** Exactly the fields of the CLI contract, in contract order. */
function unitJson(u: PolicyUnit) {
  return { id: u.id, kind: u.kind, text: u.text, sectionPath: u.sectionPath, vars: u.vars, locked: u.locked, range: u.range };
}

export function documentJson(path: string, doc: PromptDocument) {
  return {
    path,
    format: doc.format,
    agents: doc.agents.map((a) => ({ id: a.id, kind: a.kind, units: a.units.map(unitJson) })),
    errors: doc.errors,
  };
}

function table(path: string, doc: PromptDocument): string {
  const rows: string[] = [`${path}  (${doc.format}, ${doc.agents.length} agent${doc.agents.length === 1 ? '' : 's'})`];
  for (const e of doc.errors) rows.push(`  error ${e.line + 1}:${e.character + 1}  ${e.message}`);
  for (const a of doc.agents) {
    rows.push(`  agent ${a.id} [${a.kind}] — ${a.units.length} unit${a.units.length === 1 ? '' : 's'}`);
    for (const u of a.units) {
      const where = `${u.range.start.line + 1}:${u.range.start.character + 1}`.padEnd(8);
      const flags = `${u.kind}${u.locked ? ' 🔒' : ''}`.padEnd(12);
      const section = u.sectionPath.length ? `${u.sectionPath.join(' › ')} │ ` : '';
      const text = u.text.replace(/\s*\n\s*/g, ' ⏎ ');
      rows.push(`    ${where}${flags}${section}${text.length > 100 ? `${text.slice(0, 99)}…` : text}`);
    }
  }
  return rows.join('\n');
}

export const unitsCommand: CliCommand = {
  name: 'units',
  summary: 'list the policy units of prompt files',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({ args, options: { json: { type: 'boolean' }, 'max-bytes': { type: 'string' } }, allowPositionals: true, strict: true });
    if (parsed.positionals.length === 0) throw new UsageError('Give at least one prompt file.');
    const limit = parsed.values['max-bytes'];
    if (limit !== undefined && !/^\d+$/.test(limit)) throw new UsageError(`--max-bytes needs a whole number of bytes, got "${limit}"`);
    const maxBytes = limit === undefined ? DEFAULT_PROMPT_MAX_BYTES : Number(limit);
    const files: ReturnType<typeof documentJson>[] = [];
    let failed = false;
    for (const arg of parsed.positionals) {
      const abs = resolve(io.cwd, arg);
      let text: string;
      const shown = relative(io.cwd, abs) || arg;
      try {
        text = await readPromptFile(abs, shown, maxBytes);
      } catch (e) {
        failed = true;
        if (e instanceof PromptFileError) io.stderr(`truce units: ${e.message}\n`);
        else io.stderr(`truce units: cannot read ${arg}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}\n`);
        continue;
      }
      const doc = parsePromptDocument(text, { uri: abs });
      // A file with parse errors is listed with them, and the command fails.
      for (const e of doc.errors) io.stderr(`truce units: ${shown}:${e.line + 1}:${e.character + 1}: ${e.message}\n`);
      if (doc.errors.length > 0) failed = true;
      files.push(documentJson(shown, doc));
      if (!parsed.values.json) io.stdout(`${table(shown, doc)}\n\n`);
    }
    if (parsed.values.json) io.stdout(`${JSON.stringify({ files }, null, 2)}\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};
