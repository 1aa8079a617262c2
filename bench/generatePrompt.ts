/** A deterministic mixed prompt: agents, sections, bullets, numbered rules, tables, XML, variables. */
export function generatePrompt(targetBytes: number): string {
  const words = ['cite', 'every', 'source', 'keep', 'answers', 'short', 'never', 'guess', 'numbers', 'ask', 'when', 'unsure', 'use', 'the', '{{topic}}', 'tool', 'before', 'replying', '規則', '😀'];
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const sentence = () => {
    const n = 6 + Math.floor(rnd() * 10);
    const ws: string[] = [];
    for (let i = 0; i < n; i++) ws.push(words[Math.floor(rnd() * words.length)]);
    return `${ws.join(' ')}.`;
  };
  const parts: string[] = [];
  let size = 0;
  let agent = 0;
  while (size < targetBytes) {
    const block: string[] = [`# Agent: agent${agent++}`, '', 'You are one of the debaters.', ''];
    for (let s = 0; s < 4; s++) {
      block.push(`## Section ${s}`, '');
      for (let i = 0; i < 6; i++) block.push(`- ${sentence()}`);
      block.push('');
      for (let i = 1; i <= 4; i++) block.push(`${i}. ${sentence()}`);
      block.push('', sentence(), '');
    }
    block.push('| when | do |', '|---|---|', `| ${sentence()} | ${sentence()} |`, '');
    block.push('<constraints>', `- ${sentence()}`, '</constraints>', `<tone>${sentence()}</tone>`, '', '```', 'code that is not a rule', '```', '');
    const text = block.join('\n');
    parts.push(text);
    size += text.length;
  }
  return parts.join('\n');
}
