/** Which parser a prompt file gets: by name first, then by a look at the content. */
import type { PromptFormat } from './types';

const ROLE_LINE = /^\s*(system|user|assistant|developer)\s*:\s*$/im;

export function detectFormat(path: string, text?: string): PromptFormat {
  const name = path.toLowerCase();
  if (name.endsWith('.prompty')) return 'prompty';
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return 'yaml';
  if (/\.(md|mdc|markdown|mdx)$/.test(name)) return 'markdown';
  if (name.endsWith('.txt') || name.endsWith('.xml') || name.endsWith('.prompt')) return 'text';
  if (text === undefined) return 'text';
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.startsWith('---') && ROLE_LINE.test(text)) return 'prompty';
  if (/^(#{1,6} |[-*+] |\d+[.)] )/m.test(text)) return 'markdown';
  if (/^[\w-]+:\s*(\S.*)?$/m.test(text.split(/\r?\n/, 1)[0] ?? '')) return 'yaml';
  return 'text';
}

const KNOWN_SUFFIXES = ['.prompt.md', '.instructions.md', '.agent.md', '.chatmode.md', '.markdown', '.prompty', '.mdc', '.md', '.txt', '.yaml', '.yml', '.xml'];

/** The agent a single-agent file defines when it says nothing itself: its name without suffixes. */
export function agentIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  const lower = base.toLowerCase();
  for (const s of KNOWN_SUFFIXES) {
    if (lower.endsWith(s) && lower.length > s.length) return base.slice(0, base.length - s.length);
  }
  return base || 'agent';
}
