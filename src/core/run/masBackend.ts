/**
 * What the run engine needs from the MAS module: the prompt set of the files on disk, and a runner
 * for the configured MAS. Behind an interface so tests (and the optimizer, with candidate prompt
 * sets) can hand in their own.
 */
import { resolve } from 'node:path';
import type { TruceConfig } from '../config';
import { createMasRunner, loadPromptSet, type MasRunner, type PromptSet } from '../mas';
import { readPromptFile } from '../promptFileGuard';

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
  // Binary, non-UTF-8 and oversized prompt files are refused before they are parsed.
  loadPromptSet: (config, context) => loadPromptSet(config, (file) => readPromptFile(resolve(context.workspaceRoot, file), file, config.maxPromptBytes)),
  createRunner: (config, _prompts, context) => createMasRunner(config, { workspaceRoot: context.workspaceRoot, trusted: context.trusted, env: context.env }),
};
