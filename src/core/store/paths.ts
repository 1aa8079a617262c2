/** Where a workspace keeps TRUCE's run data. One place, so the CLI, extension and tests agree. */
import { join } from 'node:path';

export const TRUCE_DIR = '.truce';

export function runsDir(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'runs');
}

/** The LLM response cache; shared by every run of the workspace, so a resume re-spends nothing. */
export function cacheDir(workspaceRoot: string): string {
  return join(workspaceRoot, TRUCE_DIR, 'cache');
}

/**
 * The record of an optimize run, in a run folder of its own. It names the runs the optimize run
 * started (rollouts, validation, test), which are parts of it rather than runs a user started.
 */
export const OPTIMIZE_MANIFEST_FILE = 'optimize.json';

export const RUN_FILES = {
  manifest: 'manifest.json',
  trajectories: 'trajectories.jsonl',
  calls: 'llm-calls.jsonl',
  journal: 'journal.jsonl',
  summary: 'summary.json',
  /** Every model call of a command MAS through the gateway, request and reply whole (run/runGateway.ts). */
  gatewayCalls: 'gateway-calls.jsonl',
} as const;
