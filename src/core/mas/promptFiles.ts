/**
 * Hands a candidate prompt set to an external MAS as files: every prompt file at its
 * workspace-relative path under `<dir>/workspace` (TRUCE_PROMPTS_DIR), so the program reads
 * `$TRUCE_PROMPTS_DIR/prompts/planner.md` where it would read `prompts/planner.md`; and
 * `<dir>/prompts.json` (TRUCE_PROMPTS_JSON) with each agent's file and assembled system prompt,
 * for programs that would rather not parse prompt files themselves:
 *
 *   { "hash": "…", "agents": { "<agentId>": { "file": "prompts/planner.md", "systemPrompt": "…" } } }
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { MasSetupError } from './errors';
import type { PromptSet } from './types';

export interface WrittenPrompts {
  promptsDir: string;
  manifest: string;
}

export async function writePromptFiles(dir: string, prompts: PromptSet): Promise<WrittenPrompts> {
  const promptsDir = join(dir, 'workspace');
  await mkdir(promptsDir, { recursive: true });
  const texts = new Map<string, string>();
  for (const entry of Object.values(prompts.agents)) texts.set(entry.file, entry.fileText);
  for (const [file, text] of texts) {
    const target = insideDir(promptsDir, file);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text, 'utf8');
  }
  const agents: Record<string, { file: string; systemPrompt: string }> = {};
  for (const [id, entry] of Object.entries(prompts.agents)) agents[id] = { file: entry.file, systemPrompt: entry.systemPrompt };
  const manifest = join(dir, 'prompts.json');
  await writeFile(manifest, JSON.stringify({ hash: prompts.hash, agents }, null, 2), 'utf8');
  return { promptsDir, manifest };
}

/** A prompt path must stay inside the workspace: `../x` or `/etc/x` would write outside the temp dir. */
function insideDir(root: string, file: string): string {
  const normalized = file.replace(/\\/g, '/');
  const target = resolve(root, normalized);
  const rel = relative(root, target);
  if (isAbsolute(normalized) || /^[A-Za-z]:/.test(normalized) || rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new MasSetupError(`The prompt file path "${file}" is not inside the workspace; give prompt paths relative to the workspace folder in truce.yaml.`);
  }
  return target;
}
