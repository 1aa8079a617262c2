/**
 * Prompty files: YAML front matter, then a body split into role blocks by `system:` / `user:` /
 * `assistant:` lines. The system (or developer) blocks are the agent's prompt and their bodies are
 * Markdown; user and assistant blocks are message templates filled at run time, not rules.
 */
import type { AgentCollector } from './agentCollector';
import type { LineIndex } from './lineIndex';
import { LineView } from './lineView';
import { markdownUnits } from './markdownUnits';

const ROLE_LINE = /^\s*(system|user|assistant|developer|tool|function)\s*:\s*$/i;

export function promptyUnits(file: LineIndex, agents: AgentCollector, bodyStart: number): void {
  let blockStart = bodyStart;
  // Text before the first role line is the system prompt, as Prompty reads it.
  let role = 'system';
  for (let l = bodyStart; l <= file.lineCount; l++) {
    const m = l < file.lineCount ? ROLE_LINE.exec(file.lineText(l)) : null;
    if (!m && l < file.lineCount) continue;
    if (l > blockStart && (role === 'system' || role === 'developer')) {
      markdownUnits({ view: LineView.ofLines(file, blockStart, l), agents, agentHeadings: false });
    }
    if (m) {
      role = m[1].toLowerCase();
      blockStart = l + 1;
    }
  }
}
