/**
 * The prompt set of one candidate: every configured agent's assembled system prompt, the file it
 * came from, and a content hash. The optimizer hands in candidate texts through `readFile`, so the
 * same function serves the files on disk and edits that exist only in memory.
 */
import { createHash } from 'node:crypto';
import type { AgentConfig, TruceConfig } from '../config';
import { assemblePrompt } from './assemblePrompt';
import { MasSetupError } from './errors';
import type { AgentPromptText, PromptSet } from './types';

/** Reads a workspace-relative prompt file. */
export type PromptFileReader = (file: string) => Promise<string> | string;

export async function loadPromptSet(config: Pick<TruceConfig, 'agents'>, readFile: PromptFileReader): Promise<PromptSet> {
  // One read per file: several agents often share one YAML file.
  const texts = new Map<string, Promise<string>>();
  const read = (agent: AgentConfig): Promise<string> => {
    let text = texts.get(agent.prompt);
    if (!text) {
      text = Promise.resolve()
        .then(() => readFile(agent.prompt))
        .catch((error: unknown) => {
          const detail = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
          // A refusal that already says what to change in truce.yaml needs no second pointer to it.
          const check = /truce\.yaml/.test(detail) ? '' : ' Check `prompt` in truce.yaml.';
          throw new MasSetupError(`Cannot read the prompt file ${agent.prompt} of agent "${agent.id}": ${detail}.${check}`);
        });
      texts.set(agent.prompt, text);
    }
    return text;
  };
  const entries = await Promise.all(
    config.agents.map(async (agent): Promise<AgentPromptText> => {
      const fileText = await read(agent);
      const systemPrompt = assemblePrompt({
        file: agent.prompt,
        text: fileText,
        agentId: agent.id,
        ...(agent.section !== undefined ? { section: agent.section } : {}),
      });
      return { agent, systemPrompt, file: agent.prompt, fileText };
    }),
  );
  const agents: Record<string, AgentPromptText> = {};
  for (const entry of entries) agents[entry.agent.id] = entry;
  return { agents, hash: promptSetHash(agents) };
}

/**
 * sha256 over the agent ids and their assembled prompts, in id order. Edits the model never sees
 * (a lock comment, front matter) leave the hash alone, so they do not invalidate cached replies.
 */
export function promptSetHash(agents: Record<string, Pick<AgentPromptText, 'systemPrompt'>>): string {
  const hash = createHash('sha256');
  for (const id of Object.keys(agents).sort()) {
    const prompt = agents[id].systemPrompt;
    // Length-prefixed, so no choice of ids and texts can make two different sets collide.
    hash.update(`${id.length}:${id}${prompt.length}:${prompt}`);
  }
  return hash.digest('hex');
}
