/** Shared by the optimizer commands: read truce.yaml, print its diagnostics, apply environment overrides. */
import type { TruceConfig } from '../../core/config';
import { applyExecutorOverrides } from '../../core/run';
import type { CliIO } from '../command';
import { ConfigReadError, printDiagnostics, readConfig } from '../readConfig';

export interface LoadedConfig {
  config: TruceConfig;
  workspaceRoot: string;
}

/** Undefined after printing why (the command then exits 1). */
export async function loadOptimizerConfig(io: CliIO, command: string, file?: string): Promise<LoadedConfig | undefined> {
  let read;
  try {
    read = await readConfig(io, file);
  } catch (error) {
    if (error instanceof ConfigReadError) {
      io.stderr(`truce ${command}: ${error.message}\n`);
      return undefined;
    }
    throw error;
  }
  printDiagnostics(io.stderr, read);
  if (!read.config) {
    io.stderr(`truce ${command}: ${read.shown} has errors; nothing was done.\n`);
    return undefined;
  }
  try {
    const overridden = applyExecutorOverrides(read.config, io.env);
    for (const note of overridden.applied) io.stderr(`truce ${command}: ${note}\n`);
    return { config: overridden.config, workspaceRoot: read.workspaceRoot };
  } catch (error) {
    io.stderr(`truce ${command}: ${(error as Error).message}\n`);
    return undefined;
  }
}
