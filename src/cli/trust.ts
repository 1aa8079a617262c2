/**
 * Workspace Trust for the CLI, the rule the editor already keeps: a truce.yaml may name programs
 * (a command MAS, a command evaluator), and running them runs the workspace's code. Typing
 * `truce run` in a freshly cloned repository must not be enough for that. A workspace is trusted
 * when the user says so for one command (`--trust`), for a shell or a CI job (`TRUCE_TRUST=1`), or
 * for good, by listing the folder (or a parent) in the trusted-folders file of their own config:
 *
 *   $XDG_CONFIG_HOME/truce/trusted.json   (default ~/.config/truce/trusted.json)
 *   {"folders": ["/home/me/work/my-mas"]}
 *
 * That file lives outside every workspace, so a repository cannot trust itself.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TruceConfig } from '../core/config';
import { isWithin } from '../core/workspacePath';

export interface TrustDecision {
  trusted: boolean;
  /** Problems with the trusted-folders file, worth a warning (it is then ignored). */
  warnings: string[];
}

export function trustedFoldersFile(env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'truce', 'trusted.json');
}

export function decideTrust(workspaceRoot: string, flag: boolean, env: NodeJS.ProcessEnv): TrustDecision {
  if (flag || env.TRUCE_TRUST === '1') return { trusted: true, warnings: [] };
  const file = trustedFoldersFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { trusted: false, warnings: [] };
    return { trusted: false, warnings: [`cannot read ${file} (${(error as Error).message}); no folder is trusted through it`] };
  }
  let folders: unknown;
  try {
    const value = JSON.parse(text) as unknown;
    folders = Array.isArray(value) ? value : (value as { folders?: unknown } | null)?.folders;
  } catch (error) {
    return { trusted: false, warnings: [`${file} is not valid JSON (${(error as Error).message}); write {"folders": ["/path/to/workspace"]}`] };
  }
  if (!Array.isArray(folders) || !folders.every((f) => typeof f === 'string')) {
    return { trusted: false, warnings: [`${file} should be {"folders": ["/path/to/workspace", …]}; no folder is trusted through it`] };
  }
  const here = real(workspaceRoot);
  return { trusted: folders.some((f) => isWithin(real(f), here)), warnings: [] };
}

/** The programs a configuration would run, as the user wrote them; empty when it runs none. */
export function programsOf(config: Pick<TruceConfig, 'mas' | 'evaluator'>): string[] {
  const out: string[] = [];
  if (config.mas.kind === 'command') out.push(`the MAS command (mas.argv: ${config.mas.argv.join(' ')})`);
  if (config.evaluator.type === 'command') out.push(`the evaluator command (evaluator.argv: ${config.evaluator.argv.join(' ')})`);
  return out;
}

/** The refusal: what would have run, and the three ways to trust the folder. */
export function untrustedMessage(command: string, workspaceRoot: string, programs: readonly string[], env: NodeJS.ProcessEnv): string {
  return (
    `truce ${command}: this workspace runs programs from its truce.yaml — ${programs.join(' and ')} — and ${workspaceRoot} is not trusted, so nothing was run.\n` +
    `  Trust it for this command with --trust, for this shell or CI job with TRUCE_TRUST=1, or for good by adding it to ${trustedFoldersFile(env)}:\n` +
    `    {"folders": [${JSON.stringify(workspaceRoot)}]}\n` +
    '  Only trust a workspace whose code you would run yourself.\n'
  );
}

function real(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync.native(abs);
  } catch {
    return abs;
  }
}
