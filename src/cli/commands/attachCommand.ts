/**
 * `truce attach`: records the traces of a MAS the user runs on their own (from any terminal, in
 * any language) as a run, until Ctrl-C. The work is in core/attach, shared with the editor's
 * Attach command; this file parses flags, prints the variables to export and reports progress.
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { attachExportVariables, attachScoring, AttachSession, AttachSetupError, DEFAULT_ATTACH_PORT, renderExports, type AttachStatus } from '../../core/attach';
import type { TruceConfig } from '../../core/config';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIO } from '../command';
import { parseCliArgs } from '../parseCliArgs';
import { ConfigReadError, DEFAULT_CONFIG, printDiagnostics, readConfig } from '../readConfig';
import { decideTrust } from '../trust';
import { isRunId, newRunId } from '../../core/store';

declare const TRUCE_VERSION: string | undefined;

const usage = `Usage: truce attach [--port N] [--out RUN] [--tasks FILE] [--no-eval] [--config FILE]
                    [--token TOKEN] [--trust]

Listens for the OpenTelemetry traces of a MAS you run yourself (any language, any framework with
an OTLP/HTTP exporter) and records them as a run in .truce/runs/<run-id>/ until Ctrl-C: one
trajectory per trace, updated as its spans arrive. Traces whose input matches a task of the tasks
file are scored by the configured evaluator against its reference; rate the others with thumbs up
or down in the editor's trajectory panel. Credit and suggestions then work on the run.

  -p, --port N         the port to listen on, on 127.0.0.1 only (default: ${DEFAULT_ATTACH_PORT}, OTLP/HTTP's own)
  -o, --out RUN        the id of the new run, like 20261207-093015-ab12 (default: one made
                       from the time)
      --tasks FILE     match traces against this tasks file (default: tasks.file of truce.yaml)
      --no-eval        do not run the evaluator; score by verdicts only
  -c, --config FILE    the configuration (default: ${DEFAULT_CONFIG}; optional for attach)
      --token TOKEN    the bearer token exporters must send (default: TRUCE_ATTACH_TOKEN, else a new
                       random one); keeping it lets the exports of an earlier attach work again
      --trust          allow a command evaluator (also TRUCE_TRUST=1 or ~/.config/truce/trusted.json)

The variables to export in the MAS's shell are printed on start. Progress goes to stderr, the
final status (JSON) to stdout.
Exit status: 0 after Ctrl-C with the run written, 1 when it could not start, 2 on bad arguments.`;

interface Options {
  port: number;
  out?: string;
  tasks?: string;
  noEval: boolean;
  config?: string;
  token?: string;
  trust: boolean;
}

function parseOptions(args: string[]): Options {
  const parsed = parseCliArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', short: 'p' },
      out: { type: 'string', short: 'o' },
      tasks: { type: 'string' },
      'no-eval': { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      token: { type: 'string' },
      trust: { type: 'boolean', default: false },
    },
  });
  const v = parsed.values;
  let port = DEFAULT_ATTACH_PORT;
  if (v.port !== undefined) {
    if (!/^\d+$/.test(v.port) || Number(v.port) < 1 || Number(v.port) > 65535) throw new UsageError(`--port needs a port number from 1 to 65535, got "${v.port}"`);
    port = Number(v.port);
  }
  if (v.token !== undefined && !/^[\x21-\x7e]{16,}$/.test(v.token)) throw new UsageError('--token needs at least 16 printable characters without spaces');
  const options: Options = { port, noEval: v['no-eval'] === true, trust: v.trust === true };
  if (v.out !== undefined) {
    // Runs are found by their ids (listings, `latest`, the panel), so a run cannot be given a name.
    if (!isRunId(v.out)) throw new UsageError(`--out takes a run id like ${newRunId()} (the time it started and 4 hex digits), got "${v.out}"; leave it out and one is made`);
    options.out = v.out;
  }
  if (v.tasks !== undefined) options.tasks = v.tasks;
  if (v.config !== undefined) options.config = v.config;
  if (v.token !== undefined) options.token = v.token;
  return options;
}

function statusLine(s: AttachStatus): string {
  return `traces ${s.traces} · trajectories ${s.trajectories} · scored ${s.scored} · spans ${s.spans}`;
}

export const attachCommand: CliCommand = {
  name: 'attach',
  summary: 'record the OTLP traces of a MAS you run yourself as a run, until Ctrl-C',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const options = parseOptions(args);
    let workspaceRoot = io.cwd;
    let config: TruceConfig | undefined;
    let configFile: string | undefined;
    // truce.yaml is optional: without it the run is recorded and rated by hand, not evaluated.
    if (options.config !== undefined || existsSync(resolve(io.cwd, DEFAULT_CONFIG))) {
      let file;
      try {
        file = await readConfig(io, options.config);
      } catch (error) {
        if (error instanceof ConfigReadError) {
          io.stderr(`truce attach: ${error.message}\n`);
          return EXIT_FAILURE;
        }
        throw error;
      }
      printDiagnostics(io.stderr, file);
      if (!file.config) {
        io.stderr(`truce attach: ${file.shown} has errors; fix them (or run from a folder without truce.yaml).\n`);
        return EXIT_FAILURE;
      }
      config = file.config;
      workspaceRoot = file.workspaceRoot;
      configFile = relative(file.workspaceRoot, file.path);
    }
    const trust = decideTrust(workspaceRoot, options.trust, io.env);
    for (const warning of trust.warnings) io.stderr(`truce attach: warning: ${warning}\n`);
    const scoring = await attachScoring(config, {
      workspaceRoot,
      trusted: trust.trusted,
      env: io.env,
      noEvaluator: options.noEval,
      ...(options.tasks !== undefined ? { tasksFile: resolve(io.cwd, options.tasks) } : {}),
    });
    for (const note of scoring.notes) io.stderr(`truce attach: ${note}\n`);

    let session: AttachSession;
    try {
      const token = options.token ?? io.env.TRUCE_ATTACH_TOKEN;
      session = await AttachSession.start({
        workspaceRoot,
        port: options.port,
        ...(token ? { token } : {}),
        ...(options.out !== undefined ? { runId: options.out } : {}),
        ...(config ? { config } : {}),
        ...(configFile !== undefined ? { configFile } : {}),
        tasks: scoring.tasks,
        ...(scoring.tasksFile !== undefined ? { tasksFile: scoring.tasksFile } : {}),
        ...(scoring.tasksText !== undefined ? { tasksText: scoring.tasksText } : {}),
        ...(scoring.evaluator ? { evaluator: scoring.evaluator } : {}),
        toolVersion: typeof TRUCE_VERSION === 'string' ? TRUCE_VERSION : 'dev',
        onUpdate: (() => {
          let last = '';
          return (status: AttachStatus) => {
            const line = statusLine(status);
            if (line !== last) io.stderr(`${line}\n`);
            last = line;
          };
        })(),
        onProblem: (message) => io.stderr(`truce attach: ${message}\n`),
      });
    } catch (error) {
      if (error instanceof AttachSetupError) {
        io.stderr(`truce attach: ${error.message}\n`);
        return EXIT_FAILURE;
      }
      throw error;
    }

    const shown = relative(io.cwd, session.dir) || session.dir;
    const scoredBy = scoring.evaluator ? `the ${scoring.evaluator.type} evaluator${scoring.tasks.length ? ` and the references of ${scoring.tasks.length} tasks` : ''}, and verdicts` : 'verdicts';
    io.stderr(
      `truce attach: listening on ${session.endpoint} (OTLP/HTTP, protobuf or JSON); recording into ${shown}, scored by ${scoredBy}.\n` +
        `In the shell that runs your MAS:\n\n${renderExports(attachExportVariables(session.endpoint, session.headers), process.platform === 'win32' ? 'powershell' : 'posix')}\n\n` +
        'Stop with Ctrl-C.\n',
    );
    if (io.signal && !io.signal.aborted) await new Promise<void>((resolveStop) => io.signal?.addEventListener('abort', () => resolveStop(), { once: true }));
    const status = await session.stop();
    io.stderr(`truce attach: stopped; run ${status.runId}: ${statusLine(status)}. Next: truce credit ${status.runId}, truce suggest ${status.runId}.\n`);
    io.stdout(`${JSON.stringify(status, null, 2)}\n`);
    return EXIT_OK;
  },
};
