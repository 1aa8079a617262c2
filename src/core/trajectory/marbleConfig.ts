/**
 * The parts of a MARBLE task config (YAML) an import needs: which agents exist and their profiles.
 * MARBLE keeps agent profiles inline in the task config (`agents[].profile`), so this is where an
 * imported run gets its agent prompts from.
 */
import { parse } from 'yaml';
import type { ImportIssue } from './importResult';

export interface MarbleAgentConfig {
  id: string;
  /** The agent's profile text: the prompt MARBLE gives the agent. */
  profile?: string;
  /** `role` in bargaining configs (buyer/seller); absent elsewhere. */
  role?: string;
  type?: string;
}

export interface MarbleConfig {
  agents: MarbleAgentConfig[];
  coordinateMode?: string;
  taskContent?: string;
}

export function parseMarbleConfig(text: string): { config: MarbleConfig; errors: ImportIssue[] } {
  const errors: ImportIssue[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    const linePos = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    errors.push({ message: `invalid YAML: ${(error as Error).message.split('\n')[0]}`, ...(linePos !== undefined ? { line: linePos } : {}) });
    return { config: { agents: [] }, errors };
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    errors.push({ message: 'a MARBLE config is a YAML mapping' });
    return { config: { agents: [] }, errors };
  }
  const d = doc as Record<string, unknown>;
  const agents: MarbleAgentConfig[] = [];
  if (Array.isArray(d.agents)) {
    d.agents.forEach((raw, i) => {
      const a = (raw ?? {}) as Record<string, unknown>;
      const id = typeof a.agent_id === 'string' ? a.agent_id : typeof a.agent_id === 'number' ? String(a.agent_id) : undefined;
      if (!id) {
        errors.push({ message: 'agent without agent_id was skipped', path: `agents[${i}]` });
        return;
      }
      agents.push({
        id,
        ...(typeof a.profile === 'string' ? { profile: a.profile } : {}),
        ...(typeof a.role === 'string' ? { role: a.role } : {}),
        ...(typeof a.type === 'string' ? { type: a.type } : {}),
      });
    });
  } else {
    errors.push({ message: 'the config has no agents list', path: 'agents' });
  }
  const task = d.task as Record<string, unknown> | undefined;
  const mode = d.coordinate_mode ?? d.coordination_mode;
  return {
    config: {
      agents,
      ...(typeof mode === 'string' ? { coordinateMode: mode } : {}),
      ...(task && typeof task.content === 'string' ? { taskContent: task.content } : {}),
    },
    errors,
  };
}
