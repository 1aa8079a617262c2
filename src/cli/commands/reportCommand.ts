/**
 * `truce report <run|latest> --format md|json|junit|sarif`: a stored run as a Markdown document, as
 * its summary JSON, as a JUnit XML file for CI, or as SARIF (blamed rules and open suggestions on
 * the prompt files, for code scanning). Reports are built from the stored lines, so a run that was
 * killed still reports what it finished.
 */
import { dirname, resolve } from 'node:path';
import { buildRunReport, renderJunitReport, renderMarkdownReport } from '../../core/run';
import { readOptimizeReport, renderOptimizeMarkdown, type OptimizeReport } from '../../core/optimize/optimizeReport';
import { loadRun, runDir, RunNotFoundError, writeOutputFile } from '../../core/store';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { writeSarif } from './sarifOutput';

const FORMATS = ['md', 'json', 'junit', 'sarif'] as const;

const usage = `Usage: truce report <run-id|latest> [--format md|json|junit|sarif] [--config FILE] [--out FILE]

Reports on a run stored in .truce/runs/ of the workspace (the folder of --config, default the
current folder).

  -f, --format FORMAT  md (default): config, prompt hashes, scores per split, failures with
                       reasons, spend per phase and agent
                       json: the run summary (scores, task counts, usage totals)
                       junit: JUnit XML, one test case per task; unsuccessful tasks fail
                       sarif: SARIF 2.1.0 for code scanning: the rules the run's credit
                       blames and its open suggestions (with fixes), on the prompt files
                       of truce.yaml as they are now; plain and optimize runs
                       An optimize run reports in md or json what it did: each round's
                       train score and decision, every suggestion's outcome, the runs it
                       started
  -c, --config FILE    the truce.yaml whose workspace holds the run
  -o, --out FILE       write the report to FILE instead of stdout

Exit status: 0 when the report was written, 1 when the run cannot be found or read, 2 on bad
arguments.`;

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'report on a stored run (Markdown, JSON, JUnit XML or SARIF)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const parsed = parseCliArgs({
        args,
        strict: true,
        allowPositionals: true,
        options: { format: { type: 'string', short: 'f', default: 'md' }, config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } },
      });
    const format = parsed.values.format as string;
    if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be md, json, junit or sarif, got "${format}"`);
    if (parsed.positionals.length !== 1) throw new UsageError('give one run id, or latest');
    if (format === 'sarif') return writeSarif(io, 'report', parsed.positionals[0] as string, parsed.values.config, parsed.values.out);
    const workspaceRoot = parsed.values.config !== undefined ? dirname(resolve(io.cwd, parsed.values.config)) : io.cwd;
    const optimizeReport = await optimizeRunReport(workspaceRoot, parsed.positionals[0] as string);
    if (optimizeReport) {
      if (format === 'junit') {
        io.stderr(`truce report: ${optimizeReport.runId} is an optimize run, which has no tasks of its own to report as JUnit; report one of the runs it started (\`truce report ${optimizeReport.runId}\` lists them), or use --format md, json or sarif.\n`);
        return EXIT_FAILURE;
      }
      const text = format === 'json' ? `${JSON.stringify(optimizeReport, null, 2)}\n` : renderOptimizeMarkdown(optimizeReport);
      return emit(io, text, parsed.values.out);
    }
    let run;
    try {
      run = await loadRun(workspaceRoot, parsed.positionals[0] as string);
    } catch (error) {
      if (error instanceof RunNotFoundError) {
        io.stderr(`truce report: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }
    const report = buildRunReport(run);
    for (const problem of run.problems) io.stderr(`truce report: ${problem}\n`);
    const text =
      format === 'json' ? `${JSON.stringify({ ...report.summary, state: report.state }, null, 2)}\n` : format === 'junit' ? renderJunitReport(report) : renderMarkdownReport(report);
    return emit(io, text, parsed.values.out);
  },
};

async function emit(io: CliIO, text: string, out: string | undefined): Promise<number> {
  if (out !== undefined) {
    await writeOutputFile(resolve(io.cwd, out), text);
    io.stderr(`truce report: wrote ${out}\n`);
  } else {
    io.stdout(text);
  }
  return EXIT_OK;
}

/**
 * The report of an optimize run, when `ref` names one by its id. `latest` never does (it names plain
 * runs only), so it is not resolved here, which would list the runs a second time; it, and a bad or
 * unknown id, are left to loadRun, which says so.
 */
async function optimizeRunReport(workspaceRoot: string, ref: string): Promise<OptimizeReport | undefined> {
  let dir: string;
  try {
    dir = runDir(workspaceRoot, ref);
  } catch {
    return undefined;
  }
  return readOptimizeReport(dir);
}
