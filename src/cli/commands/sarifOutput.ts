/** SARIF output shared by `truce report --format sarif` and `truce suggest --format sarif`. */
import { resolve } from 'node:path';
import type { TruceConfig } from '../../core/config';
import { runSarif } from '../../core/sarif/runSarif';
import { RunNotFoundError, writeOutputFile } from '../../core/store';
import { EXIT_FAILURE, EXIT_OK, type CliIO } from '../command';
import { ConfigReadError, printDiagnostics, readConfig } from '../readConfig';

declare const TRUCE_VERSION: string | undefined;

/** Reads truce.yaml (for the prompt files) and writes the run's SARIF log; returns the exit status. */
export async function writeSarif(io: CliIO, command: string, run: string, configFile: string | undefined, out: string | undefined): Promise<number> {
  let read;
  try {
    read = await readConfig(io, configFile);
  } catch (error) {
    if (error instanceof ConfigReadError) {
      io.stderr(`truce ${command}: ${error.message} SARIF output places findings on the prompt files truce.yaml names.\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  printDiagnostics(io.stderr, read);
  if (!read.config) {
    io.stderr(`truce ${command}: ${read.shown} has errors; no SARIF was written.\n`);
    return EXIT_FAILURE;
  }
  return emitSarif(io, command, { workspaceRoot: read.workspaceRoot, config: read.config, run, ...(out !== undefined ? { out } : {}) });
}

export async function emitSarif(io: CliIO, command: string, options: { workspaceRoot: string; config: TruceConfig; run: string; out?: string }): Promise<number> {
  let sarif;
  try {
    sarif = await runSarif({
      workspaceRoot: options.workspaceRoot,
      config: options.config,
      run: options.run,
      toolVersion: typeof TRUCE_VERSION === 'string' ? TRUCE_VERSION : '0.0.0-dev',
    });
  } catch (error) {
    if (error instanceof RunNotFoundError) {
      io.stderr(`truce ${command}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  for (const problem of sarif.problems) io.stderr(`truce ${command}: note: ${problem}\n`);
  const text = `${JSON.stringify(sarif.log, null, 2)}\n`;
  if (options.out !== undefined) {
    await writeOutputFile(resolve(io.cwd, options.out), text);
    io.stderr(`truce ${command}: wrote ${options.out} (SARIF, ${sarif.results} results from run ${sarif.runId})\n`);
  } else {
    io.stdout(text);
  }
  return EXIT_OK;
}
