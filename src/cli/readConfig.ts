/**
 * Reads and checks truce.yaml for the CLI commands, and prints diagnostics the way compilers do
 * (`file:line:col: error: message (hint)`, 1-based), so terminals and editors can jump to them.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseConfig, type ConfigDiagnostic, type TruceConfig } from '../core/config';
import { workspaceEscape } from '../core/workspacePath';
import type { CliIO } from './command';

export const DEFAULT_CONFIG = 'truce.yaml';

export interface ConfigFile {
  /** Absolute path. */
  path: string;
  /** As shown to the user: relative to the working directory. */
  shown: string;
  /** The folder that holds it: the workspace root every path in it is relative to. */
  workspaceRoot: string;
  text: string;
  config?: TruceConfig;
  diagnostics: ConfigDiagnostic[];
}

export class ConfigReadError extends Error {}

export async function readConfig(io: CliIO, file: string = DEFAULT_CONFIG): Promise<ConfigFile> {
  const path = resolve(io.cwd, file);
  const shown = relative(io.cwd, path) || file;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigReadError(
      missing ? `${shown} does not exist. Create one (see examples/debate-mas/truce.yaml) or pass --config FILE.` : `cannot read ${shown}: ${(error as Error).message}`,
    );
  }
  const workspaceRoot = dirname(path);
  const result = parseConfig(text, { workspaceRoot, fileExists: existsSync, escapes: workspaceEscape });
  const out: ConfigFile = { path, shown, workspaceRoot, text, diagnostics: result.diagnostics };
  if (result.ok) out.config = result.config;
  return out;
}

export function formatDiagnostic(file: string, d: Pick<ConfigDiagnostic, 'severity' | 'message' | 'hint' | 'line' | 'character'>): string {
  return `${file}:${d.line + 1}:${d.character + 1}: ${d.severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

export function printDiagnostics(write: (text: string) => void, file: ConfigFile): void {
  for (const d of file.diagnostics) write(`${formatDiagnostic(file.shown, d)}\n`);
}
