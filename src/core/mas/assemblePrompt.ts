/**
 * The system prompt an agent runs with, assembled from its prompt file.
 *
 * The model should read what the author wrote, in the author's order and structure (headings, the
 * role paragraph, every rule), minus what is only there for tools: front matter (including
 * `truce-agent:`), lock comments (`<!-- truce:lock -->`, `# truce:lock`), `<DONT_CHANGE>` tags
 * (the text between them stays), the `# Agent: name` heading that selects an agent in a
 * multi-agent Markdown file, and Prompty's message templates.
 *
 * - Markdown and plain text: the agent's part of the file, as the unit parser delimits it.
 * - Prompty: the `system:` (and `developer:`) blocks; `user:` / `assistant:` blocks are message
 *   templates filled at run time, not instructions.
 * - YAML: the agent's fields rendered as short Markdown (see renderYamlAgent.ts).
 *
 * Template variables (`{{question}}`, `{round}`) are left in place; the runner decides what to fill.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type Pair } from 'yaml';
import { splitFrontMatter } from '../units/frontMatter';
import { LineIndex } from '../units/lineIndex';
import { parsePromptDocument } from '../units/parsePromptDocument';
import type { AgentPrompt, PromptDocument } from '../units/types';
import { MasSetupError } from './errors';
import { renderYamlAgent } from './renderYamlAgent';

export interface PromptSource {
  /** Workspace-relative path: decides the format and names the file in errors. */
  file: string;
  text: string;
  /** The agent's id in truce.yaml: the file's own agent when no section is given. */
  agentId: string;
  /** The agent inside a multi-agent file (YAML key, `# Agent:` heading). */
  section?: string;
}

// The whole line goes, line break included, so a tight list stays tight.
const LOCK_LINE = /^[ \t]*(?:<!--[ \t]*truce:lock[ \t]*-->|#[ \t]*truce:lock\b.*|\/\/[ \t]*truce:lock\b.*)[ \t]*(?:\n|$)/gm;
const LOCK_INLINE = /[ \t]*<!--\s*truce:lock\s*-->/g;
// `<DONT_CHANGE>` tags tell TRUCE what never to edit (units/protectedSpans.ts); the text between them stays.
const PROTECT_LINE = /^[ \t]*(?:#[ \t]*)?<\/?DONT_CHANGE>[ \t]*(?:\n|$)/gm;
const PROTECT_INLINE = /<\/?DONT_CHANGE>/g;
const AGENT_HEADING = /^[ \t]{0,3}#{1,6}[ \t]+agent[ \t]*[:\-–—][ \t]*\S.*$/im;
const ROLE_LINE = /^\s*(system|user|assistant|developer|tool|function)\s*:\s*$/i;

/** Throws MasSetupError when the file does not define the agent. */
export function assemblePrompt(source: PromptSource): string {
  const doc = parsePromptDocument(source.text, {
    uri: source.file,
    // A section names an agent the file declares itself; without one, the file is the agent.
    ...(source.section === undefined ? { defaultAgentId: source.agentId } : {}),
  });
  const agent = pickAgent(doc, source);
  switch (doc.format) {
    case 'yaml':
      return tidy(renderYamlAgent(yamlAgentValue(source.text, agent, doc.agents.length, source.file)));
    case 'prompty':
      return tidy(promptySystemText(source.text));
    case 'markdown':
    case 'text':
      return tidy(dropAgentHeading(markdownPart(source.text, agent, doc.format)));
  }
}

function pickAgent(doc: PromptDocument, source: PromptSource): AgentPrompt {
  const wanted = source.section ?? source.agentId;
  const found = doc.agents.find((a) => a.id === wanted) ?? (source.section === undefined && doc.agents.length === 1 ? doc.agents[0] : undefined);
  if (found) return found;
  const defined = doc.agents.map((a) => `"${a.id}"`).join(', ') || 'no agents';
  const fix =
    source.section === undefined
      ? `Set \`section\` on agent "${source.agentId}" in truce.yaml to the agent of this file it should use.`
      : `Fix \`section\` of agent "${source.agentId}" in truce.yaml.`;
  const parseNote = doc.errors.length > 0 ? ` The file has parse errors: ${doc.errors[0].message} (line ${doc.errors[0].line + 1}).` : '';
  throw new MasSetupError(`${source.file} has no agent "${wanted}"; it defines ${defined}. ${fix}${parseNote}`);
}

/** The agent's part of a Markdown or text file, without front matter. */
function markdownPart(text: string, agent: AgentPrompt, format: 'markdown' | 'text'): string {
  const bodyStart = format === 'markdown' ? frontMatterEnd(text) : 0;
  return text.slice(Math.max(agent.range.start.offset, bodyStart), Math.max(agent.range.end.offset, bodyStart));
}

/** Offset of the first body character: after the closing fence line of the front matter. */
function frontMatterEnd(text: string): number {
  const file = new LineIndex(text);
  const fm = splitFrontMatter(file);
  if (!fm || fm.endLine === 0) return 0;
  return fm.endLine + 1 < file.lineCount ? file.starts[fm.endLine + 1] : text.length;
}

/** `# Agent: planner` only tells TRUCE where the agent starts; the model does not need it. */
function dropAgentHeading(part: string): string {
  const firstContent = /^\s*/.exec(part)?.[0].length ?? 0;
  const rest = part.slice(firstContent);
  const lineEnd = rest.search(/\r?\n|\r|$/);
  return AGENT_HEADING.test(rest.slice(0, lineEnd)) ? rest.slice(lineEnd) : part;
}

/** Prompty: the system and developer blocks of the body, in order. */
function promptySystemText(text: string): string {
  const file = new LineIndex(text);
  const fm = splitFrontMatter(file);
  const first = fm && fm.endLine > 0 ? fm.endLine + 1 : 0;
  const blocks: string[][] = [];
  // Text before the first role line is the system prompt, as Prompty reads it.
  let role = 'system';
  let current: string[] = [];
  for (let l = first; l < file.lineCount; l++) {
    const line = file.lineText(l);
    const m = ROLE_LINE.exec(line);
    if (m) {
      if (role === 'system' || role === 'developer') blocks.push(current);
      role = m[1].toLowerCase();
      current = [];
    } else current.push(line);
  }
  if (role === 'system' || role === 'developer') blocks.push(current);
  return blocks.map((b) => b.join('\n').trim()).filter((b) => b !== '').join('\n\n');
}

/**
 * The YAML value of the agent: the node that starts where the parser says the agent starts (a key
 * of a map of agents, an item of a list of agents), else the whole document for a one-agent file.
 */
function yamlAgentValue(text: string, agent: AgentPrompt, agentCount: number, file: string): unknown {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const found = doc.contents ? nodeStartingAt(doc.contents as Node, agent, 0) : undefined;
    if (found) return found.toJSON();
  }
  // Rendering the whole document is only right when it is this agent's alone.
  if (agentCount > 1) throw new MasSetupError(`${file}: could not find the YAML node of agent "${agent.id}". Please report this with the file attached.`);
  const first = list.find((d) => d.contents);
  return first?.contents ? (first.contents as Node).toJSON() : '';
}

/** Agents sit at most a few levels deep (`agents:` → map or list → agent). */
function nodeStartingAt(node: Node, agent: AgentPrompt, depth: number): Node | undefined {
  if (depth > 3) return undefined;
  const offset = agent.range.start.offset;
  if (isMap(node)) {
    for (const pair of node.items as Pair<Node, Node>[]) {
      if (!pair.value) continue;
      // The key must also be the agent's name: a one-agent map can open with a nested map (`llm:`).
      const named = isScalar(pair.key) && pair.key.range?.[0] === offset && String(pair.key.value) === agent.id;
      if (named && isMap(pair.value)) return pair.value;
      const inner = nodeStartingAt(pair.value, agent, depth + 1);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items as Node[]) {
      if (isMap(item) && item.range?.[0] === offset) return item;
      const inner = item ? nodeStartingAt(item, agent, depth + 1) : undefined;
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Lock markers out, one line-break style, no runs of blank lines left where lines were removed. */
function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(LOCK_LINE, '')
    .replace(LOCK_INLINE, '')
    .replace(PROTECT_LINE, '')
    .replace(PROTECT_INLINE, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
