/**
 * The prompts of one execution: what each agent runs with in this candidate. Its own file because
 * both the runner contract (types.ts) and the gateway contract (masGateway.ts) name it.
 */
import type { AgentConfig } from '../config';

/** The prompt text each agent runs with in this execution (the candidate, not necessarily the files). */
export interface AgentPromptText {
  agent: AgentConfig;
  /** The system prompt assembled from the agent's prompt file (its units in order, structure kept). */
  systemPrompt: string;
  /** Workspace-relative prompt file it came from. */
  file: string;
  /** Full text of that prompt file in this candidate, for runners that hand files to a process. */
  fileText: string;
}

export interface PromptSet {
  /** By agent id. */
  agents: Record<string, AgentPromptText>;
  /** Content hash of the set, recorded in the run manifest and used in cache keys. */
  hash: string;
}
