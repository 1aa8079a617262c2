/**
 * What the run engine needs from the MAS module: the prompt set of the files on disk, and a runner
 * for the configured MAS. Behind an interface so tests (and the optimizer, with candidate prompt
 * sets) can hand in their own.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { createMasRunner, loadPromptSet, type MasRunner, type PromptSet } from '../mas';

export interface MasBackendContext {
  workspaceRoot: string;
  trusted: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export interface MasBackend {
  loadPromptSet(config: TruceConfig, context: MasBackendContext): Promise<PromptSet>;
  createRunner(config: TruceConfig, prompts: PromptSet, context: MasBackendContext): MasRunner;
}

export const defaultMasBackend: MasBackend = {
  loadPromptSet: (config, context) => loadPromptSet(config, (file) => readFile(resolve(context.workspaceRoot, file), 'utf8')),
  createRunner: (config, _prompts, context) => createMasRunner(config, { workspaceRoot: context.workspaceRoot, trusted: context.trusted }),
};
