/**
 * `truce import`: converts trajectories recorded elsewhere (OTLP traces, MARBLE outputs, Who&When
 * logs, native JSONL) into native trajectory JSONL, one output file per input. All the work is in
 * core/trajectory; this file only parses flags, names output files and reports.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  TRAJECTORY_FORMATS,
  importFilesToFolder,
  isErrorIssue,
  isFailedImport,
  parseMarbleConfig,
  type ImportIssue,
  type MarbleConfig,
  type TrajectoryFormat,
} from '../../core/trajectory';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';

const DEFAULT_OUT_DIR = '.truce/imports';
/** Issues listed per file on the terminal; the JSON summary carries more. */
const SHOWN_ISSUES = 20;
const JSON_ISSUES = 200;

const USAGE = `Usage: truce import <file...> [--format auto|native|otlp|marble|whowhen] [--out DIR] [--json]

Converts trajectories recorded elsewhere into native trajectory JSONL.

Formats:
  auto      guess from the file's content (default)
  native    TRUCE trajectory JSONL (re-validated and normalised)
  otlp      OpenTelemetry traces as OTLP/JSON or SDK span JSON, with gen_ai.*,
            OpenInference or OpenLLMetry attributes; one trajectory per trace
  marble    MARBLE (MultiAgentBench) engine output JSONL; one trajectory per line
  whowhen   Who&When failure-attribution logs; labels keep the annotated mistake

Options:
  -f, --format FORMAT      input format (default: auto)
  -o, --out DIR            output folder (default: ${DEFAULT_OUT_DIR}); each input becomes
                           DIR/<name>.trajectories.jsonl
      --marble-config FILE MARBLE task config (YAML) supplying agent profiles
      --json               print the summary as JSON
  -h, --help               show this help

Exit status: 0 when every file was imported; 1 when a file could not be read or
yielded no trajectory because of errors; 2 on bad arguments.
`;

interface Options {
  files: string[];
  format: TrajectoryFormat | 'auto';
  outDir: string;
  json: boolean;
  marbleConfig?: string;
  help: boolean;
}

function parseOptions(args: string[]): Options {
  const parsed = parseCliArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', short: 'f', default: 'auto' },
        out: { type: 'string', short: 'o', default: DEFAULT_OUT_DIR },
        json: { type: 'boolean', default: false },
        'marble-config': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  const { values, positionals } = parsed;
  const format = values.format as string;
  if (format !== 'auto' && !(TRAJECTORY_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`unknown format "${format}"; use one of auto, ${TRAJECTORY_FORMATS.join(', ')}`);
  }
  if (!values.help && positionals.length === 0) throw new UsageError('no input files given');
  if (values.out === '') throw new UsageError('--out needs a folder');
  return {
    files: positionals,
    format: format as TrajectoryFormat | 'auto',
    outDir: values.out as string,
    json: values.json === true,
    ...(values['marble-config'] !== undefined ? { marbleConfig: values['marble-config'] } : {}),
    help: values.help === true,
  };
}

function describeIssue(file: string, issue: ImportIssue): string {
  const where = issue.line !== undefined ? `${file}:${issue.line}` : file;
  const severity = isErrorIssue(issue) ? 'error' : 'warning';
  return `${where}: ${severity}: ${issue.message}${issue.path ? ` (at ${issue.path})` : ''}`;
}

async function loadMarbleConfig(path: string, io: CliIO): Promise<MarbleConfig> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --marble-config ${path}: ${(error as Error).message}`);
  }
  const { config, errors } = parseMarbleConfig(text);
  for (const issue of errors) io.stderr(describeIssue(path, issue) + '\n');
  return config;
}

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Convert OTLP traces, MARBLE outputs or Who&When logs into trajectory JSONL',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<number> {
    const options = parseOptions(args);
    if (options.help) {
      io.stdout(USAGE);
      return EXIT_OK;
    }
    const marbleConfig = options.marbleConfig !== undefined ? await loadMarbleConfig(options.marbleConfig, io) : undefined;
    const reports = await importFilesToFolder(options.files, {
      cwd: io.cwd,
      format: options.format,
      outDir: options.outDir,
      ...(marbleConfig ? { marbleConfig } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onFile: (i, file) => io.stderr(`importing ${file} (${i + 1}/${options.files.length})\n`),
      onReport: (report) => {
        report.issues.slice(0, SHOWN_ISSUES).forEach((issue) => io.stderr(describeIssue(report.file, issue) + '\n'));
        if (report.issues.length > SHOWN_ISSUES) io.stderr(`${report.file}: … and ${report.issues.length - SHOWN_ISSUES} more issues\n`);
        if (report.failure) io.stderr(`${report.failure}\n`);
      },
    });
    if (reports.length < options.files.length) io.stderr('interrupted; remaining files were not imported\n');
    const totals = {
      files: reports.length,
      failedFiles: reports.filter(isFailedImport).length,
      trajectories: reports.reduce((n, r) => n + r.trajectories, 0),
      steps: reports.reduce((n, r) => n + r.steps, 0),
      errors: reports.reduce((n, r) => n + r.errorCount, 0),
      warnings: reports.reduce((n, r) => n + r.warningCount, 0),
    };
    if (options.json) {
      const files = reports.map((r) => ({
        file: r.file,
        format: r.format ?? null,
        output: r.output ?? null,
        trajectories: r.trajectories,
        steps: r.steps,
        agents: r.agents,
        errors: r.errorCount,
        warnings: r.warningCount,
        issues: r.issues.slice(0, JSON_ISSUES),
        ...(r.issues.length > JSON_ISSUES ? { issuesOmitted: r.issues.length - JSON_ISSUES } : {}),
        ...(r.failure ? { failure: r.failure } : {}),
      }));
      io.stdout(JSON.stringify({ files, totals }, null, 2) + '\n');
    } else {
      for (const r of reports) {
        const counts = `${r.trajectories} trajectories, ${r.steps} steps, ${r.agents} agents, ${r.errorCount} errors${r.warningCount ? `, ${r.warningCount} warnings` : ''}`;
        const tail = r.failure ? ` — FAILED: ${r.failure}` : r.output ? ` → ${r.output}` : isFailedImport(r) ? ' — FAILED: nothing imported' : ' (nothing written)';
        io.stdout(`${r.file} [${r.format ?? 'unknown format'}]: ${counts}${tail}\n`);
      }
      io.stdout(`total: ${totals.files} files, ${totals.trajectories} trajectories, ${totals.steps} steps, ${totals.errors} errors, ${totals.warnings} warnings\n`);
    }
    return reports.some(isFailedImport) || reports.length < options.files.length ? EXIT_FAILURE : EXIT_OK;
  },
};
