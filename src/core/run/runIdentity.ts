/**
 * The fingerprints a manifest records so a run can be reproduced and a resume can refuse to mix
 * results of different setups: the configuration hash and the prompt files' content hashes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { canonicalJson } from '../llm';

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Over everything that shapes results. Budget, concurrency and the prompt size limit are left out:
 * raising a cap or the parallelism to finish a stopped run must not make it unresumable, and none
 * of them changes a reply.
 */
export function configHash(config: TruceConfig): string {
  const { budget: _budget, concurrency: _concurrency, maxPromptBytes: _maxPromptBytes, ...shaping } = config;
  return sha256(canonicalJson(shaping));
}

export interface PromptFileSnapshot {
  file: string;
  sha256: string;
  agents: string[];
}

/** One entry per prompt file, with the agents it defines; bytes as on disk. */
export async function snapshotPromptFiles(config: TruceConfig, workspaceRoot: string): Promise<PromptFileSnapshot[]> {
  const byFile = new Map<string, string[]>();
  for (const agent of config.agents) byFile.set(agent.prompt, [...(byFile.get(agent.prompt) ?? []), agent.id]);
  const out: PromptFileSnapshot[] = [];
  for (const [file, agents] of [...byFile].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push({ file: file.replace(/\\/g, '/'), sha256: sha256(await readFile(resolve(workspaceRoot, file))), agents });
  }
  return out;
}
