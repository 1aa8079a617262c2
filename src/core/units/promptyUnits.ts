/**
 * Prompty files: YAML front matter, then a body split into role blocks by `system:` / `user:` /
 * `assistant:` lines. Each role block is an agent of the file and its body is Markdown.
 */
import type { AgentCollector } from './agentCollector';
import type { LineIndex } from './lineIndex';
import { LineView } from './lineView';
import { markdownUnits } from './markdownUnits';

const ROLE_LINE = /^\s*(system|user|assistant|developer|tool|function)\s*:\s*$/i;

export function promptyUnits(file: LineIndex, agents: AgentCollector, bodyStart: number): void {
  let blockStart = bodyStart;
  for (let l = bodyStart; l <= file.lineCount; l++) {
    const m = l < file.lineCount ? ROLE_LINE.exec(file.lineText(l)) : null;
    if (!m && l < file.lineCount) continue;
    if (l > blockStart) markdownUnits({ view: LineView.ofLines(file, blockStart, l), agents, agentHeadings: false });
    if (m) {
      const role = m[1].toLowerCase();
      agents.startAgent(role, file.starts[l], undefined, role === 'system' || role === 'developer' ? 'role' : 'other');
      blockStart = l + 1;
    }
  }
}
