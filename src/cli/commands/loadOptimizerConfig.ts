/** Shared by the optimizer commands: read truce.yaml, print its diagnostics, apply environment overrides. */
import type { TruceConfig } from '../../core/config';
import { resolveDemoMode } from '../../core/demo';
import type { FetchLike } from '../../core/llm/transport';
import { applyExecutorOverrides } from '../../core/run';
import type { CliIO } from '../command';
import { ConfigReadError, printDiagnostics, readConfig } from '../readConfig';

export interface LoadedConfig {
  config: TruceConfig;
  workspaceRoot: string;
  /** Set in demo mode (truce.yaml `demo:`): the in-process demo world the LLM clients talk to. */
  llm?: { fetch: FetchLike };
}

/**
 * Undefined after printing why (the command then exits 1). `callsModels: false` for a command that
 * makes no LLM call (apply): it then neither applies the endpoint overrides nor asks whether the
 * endpoint answers, so a model server that is down does not stop an edit of a prompt file.
 */
export async function loadOptimizerConfig(io: CliIO, command: string, file?: string, callsModels = true): Promise<LoadedConfig | undefined> {
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
  if (!callsModels) return { config: read.config, workspaceRoot: read.workspaceRoot };
  try {
    const overridden = applyExecutorOverrides(read.config, io.env);
    for (const note of overridden.applied) io.stderr(`truce ${command}: ${note}\n`);
    const demo = await resolveDemoMode(overridden.config, { workspaceRoot: read.workspaceRoot, ...(io.signal ? { signal: io.signal } : {}), ...(overridden.baseUrlFrom ? { endpointFrom: overridden.baseUrlFrom } : {}) });
    if (!demo.active) return { config: overridden.config, workspaceRoot: read.workspaceRoot };
    io.stderr(`truce ${command}: ${demo.notice}\n`);
    return { config: demo.config, workspaceRoot: read.workspaceRoot, llm: demo.llm };
  } catch (error) {
    io.stderr(`truce ${command}: ${(error as Error).message}\n`);
    return undefined;
  }
}
