/**
 * Prompt sets of an optimize run are texts in memory (prompt files on disk are never touched), so
 * they are read through a reader over those texts and told apart by the hash of the parsed set.
 */
import type { TruceConfig } from '../config';
import { loadPromptSet } from '../mas';
import type { PromptTexts } from '../credit/agentUnits';

/** A file reader over in-memory texts, for loadPromptSet. */
export const readerOf = (texts: PromptTexts) => (file: string) => {
  const t = texts[file];
  if (t === undefined) throw new Error(`no text for ${file}`);
  return t;
};

/** The hash that names a prompt set (the best set, a candidate) in round records and score caches. */
export function promptSetHasher(config: TruceConfig): (texts: PromptTexts) => Promise<string> {
  return async (texts: PromptTexts) => (await loadPromptSet(config, readerOf(texts))).hash;
}
