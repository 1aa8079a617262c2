/**
 * The optimizable agents of a prompt set with their parsed units. Config agent ids (what steps in a
 * trajectory carry) and document agent ids (what unit edits address) coincide unless truce.yaml
 * selects a `section` of a multi-agent file; these helpers translate between the two.
 */
import type { AgentConfig, TruceConfig } from '../config';
import { parsePromptDocument, type AgentPrompt, type PromptDocument } from '../units';
import type { AgentUnits } from './types';

/** Workspace-relative prompt file → its text in the candidate. */
export type PromptTexts = Readonly<Record<string, string>>;

export function parseAgentFile(agent: AgentConfig, text: string): PromptDocument {
  return parsePromptDocument(text, { uri: agent.prompt, ...(agent.section === undefined ? { defaultAgentId: agent.id } : {}) });
}

/** The agent inside its parsed file, found the way assemblePrompt finds it. */
export function agentPromptIn(doc: PromptDocument, agent: Pick<AgentConfig, 'id' | 'section'>): AgentPrompt | undefined {
  const wanted = agent.section ?? agent.id;
  return doc.agents.find((a) => a.id === wanted) ?? (agent.section === undefined && doc.agents.length === 1 ? doc.agents[0] : undefined);
}

export function buildAgentUnits(config: Pick<TruceConfig, 'agents'>, texts: PromptTexts): AgentUnits[] {
  const out: AgentUnits[] = [];
  for (const agent of config.agents) {
    const text = texts[agent.prompt];
    if (text === undefined) continue;
    out.push({ agentId: agent.id, kind: agent.kind, file: agent.prompt, document: parseAgentFile(agent, text) });
  }
  return out;
}

/** The units of one configured agent (empty when the file does not define it). */
export function unitsOf(agents: readonly AgentUnits[], config: Pick<TruceConfig, 'agents'>, agentId: string): { agent: AgentUnits; prompt: AgentPrompt } | undefined {
  const au = agents.find((a) => a.agentId === agentId);
  const cfg = config.agents.find((a) => a.id === agentId);
  if (!au || !cfg) return undefined;
  const prompt = agentPromptIn(au.document, cfg);
  return prompt ? { agent: au, prompt } : undefined;
}
