/**
 * A heading: it opens a section (closing the sections at its level and below), or, as
 * `# Agent: name`, starts a new agent's part of the file.
 */
import { NON_RULE_SECTION, type ReadState } from './readState';
import { headingTitle } from './textScan';

const AGENT_HEADING = /^agent\s*[:\-–—]\s*(.+)$/i;

/** Reads the heading that opens at token `i`; returns the index of its last token. */
export function readHeading(s: ReadState, i: number): number {
  const { tokens, opts, agents, headings } = s;
  const t = tokens[i];
  const inline = tokens[i + 1];
  const line = t.map![0];
  const level = Number(t.tag.slice(1));
  opts.observer?.heading(line, level, t.level > 0, s.xml.pathAt[line]?.length ?? 0);
  const title = headingTitle(s.original, s.masked, t, inline.content);
  s.pathVersion++;
  while (headings.length && headings[headings.length - 1].level >= level) headings.pop();
  const agentMatch = opts.agentHeadings !== false ? AGENT_HEADING.exec(title) : null;
  if (agentMatch) {
    headings.length = 0;
    agents.startAgent(agentMatch[1].trim(), s.view.offset(line, 0), level);
  } else {
    // A heading at or above an agent heading's level ends that agent's part of the file.
    if (agents.headingLevel() !== undefined && level <= agents.headingLevel()!) agents.endHeadingAgent(s.view.offset(line, 0));
    headings.push({ title, line, level, nonRule: NON_RULE_SECTION.test(title) });
  }
  s.label = undefined;
  s.pendingLead = undefined;
  return i + 2;
}
