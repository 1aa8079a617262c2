/**
 * A MAS backend that runs a candidate prompt set held in memory: prompts are assembled from the
 * candidate's file texts instead of the files on disk, so candidates are evaluated without ever
 * writing a prompt file. The runner is the configured one.
 */
import { loadPromptSet } from '../mas';
import { defaultMasBackend, type MasBackend } from '../run';
import type { PromptTexts } from '../credit/agentUnits';

export function candidateBackend(texts: PromptTexts): MasBackend {
  return {
    loadPromptSet: (config) =>
      loadPromptSet(config, (file) => {
        const text = texts[file];
        if (text === undefined) throw new Error(`the candidate prompt set has no file ${file}`);
        return text;
      }),
    createRunner: defaultMasBackend.createRunner,
  };
}
