/**
 * Fuzz target: prompt files. Documents are assembled from the structures the unit parser knows
 * (front matter, agent headings, lists, tables, XML sections, fences, YAML agent maps, Prompty
 * role sections, template variables, lock comments) filled with awkward text, then damaged.
 *
 * Properties: parsePromptDocument returns (never throws) and does not fall back to its internal
 * "could not parse" error; every error has a 0-based line and character inside the text; every
 * unit's range lies inside the text with line/character agreeing with its offset; a single-line
 * unit that is not a quoted YAML scalar slices out of the text exactly as its `text`.
 */
import fc from 'fast-check';
import { allUnits, parsePromptDocument, type PromptDocument, type PromptFormat } from '../../../src/core/units';
import { finding, isPosition, type Finding, type FuzzTarget } from './target';
import { awkwardText, mutatedText } from './textMutations';

const word = fc.constantFrom('planner', 'critic', 'solver', 'aggregator', 'judge', 'Rules', 'Output', 'agent', 'rule', 'é', '日本', '🙂');
const inline = fc
  .array(fc.oneof({ weight: 4, arbitrary: word }, { weight: 2, arbitrary: awkwardText }, fc.constantFrom('{{task}}', '{state}', '{% if x %}', '{{ a.b }}', '<b>x</b>', '`code`', '**bold**', '[link](x)', '\\{not}', '{{', '}}')), { minLength: 1, maxLength: 6 })
  .map((ws) => ws.join(' '));
const indent = fc.constantFrom('', '', '  ', '    ', '\t', ' ');

const markdownBlock = fc.oneof(
  fc.tuple(fc.constantFrom('#', '##', '###', '####'), fc.constantFrom('', 'Agent: ', 'Role: '), inline).map(([h, p, t]) => `${h} ${p}${t}`),
  fc.tuple(indent, fc.constantFrom('- ', '* ', '+ ', '1. ', '2) ', '10. ', '-'), inline).map(([i, m, t]) => `${i}${m}${t}`),
  fc.tuple(indent, inline, inline).map(([i, a, b]) => `${i}- ${a}\n${i}  ${b}`),
  inline,
  fc.constant(''),
  fc.tuple(inline, inline).map(([a, b]) => `| ${a} | ${b} |\n|---|---|\n| ${b} | ${a} |`),
  fc.tuple(fc.constantFrom('rules', 'instructions', 'output_format', 'x'), inline).map(([tag, t]) => `<${tag}>\n- ${t}\n</${tag}>`),
  fc.tuple(fc.constantFrom('rule', 'note'), inline).map(([tag, t]) => `<${tag}>${t}</${tag}>`),
  fc.constantFrom('<rules>', '</rules>', '<a b="c">', '<!-- truce:lock -->', '<!--', '-->', '```', '```yaml', '~~~', '---', '***', '> quote'),
  fc.tuple(fc.constantFrom('```', '~~~'), inline).map(([f, t]) => `${f}\n- ${t}\n${f}`),
);

const frontMatter = fc
  .tuple(fc.constantFrom('agent', 'truce-agent', 'name', 'kind', 'description', 'model'), fc.oneof(word, inline, fc.constantFrom('role', 'judge', '[a, b]', '{x: 1}', '|', '"unterminated', "'q'")))
  .map(([k, v]) => `${k}: ${v}`);
const withFrontMatter = (body: fc.Arbitrary<string>) =>
  fc.tuple(fc.option(fc.array(frontMatter, { maxLength: 4 }), { nil: undefined }), fc.boolean(), body).map(([fm, closed, b]) => (fm ? `---\n${fm.join('\n')}\n${closed ? '---\n' : ''}${b}` : b));

const markdownDoc = withFrontMatter(fc.array(markdownBlock, { maxLength: 14 }).map((bs) => bs.join('\n')));

const yamlScalar = fc.oneof(
  inline,
  inline.map((t) => JSON.stringify(t)),
  inline.map((t) => `'${t.replace(/'/g, "''")}'`),
  fc.tuple(fc.constantFrom('|', '>', '|-', '>+'), inline, inline).map(([s, a, b]) => `${s}\n      ${a}\n      ${b}`),
  fc.constantFrom('', '~', 'null', '123', 'true', '"unterminated', '[a, b]', '{k: v}', '&anchor x', '*anchor', '!!str x'),
);
const yamlAgent = fc
  .tuple(word, fc.constantFrom('rules', 'instructions', 'prompt', 'system', 'kind'), fc.array(yamlScalar, { maxLength: 4 }), fc.boolean())
  .map(([name, key, items, asList]) =>
    asList ? `${name}:\n  ${key}:\n${items.map((s) => `    - ${s}`).join('\n')}` : `${name}:\n  ${key}: ${items[0] ?? ''}`,
  );
const yamlDoc = fc
  .tuple(fc.boolean(), fc.array(fc.oneof({ weight: 4, arbitrary: yamlAgent }, fc.constantFrom('# truce:lock', '---', '...', '- loose item', 'key: [unclosed', '  bad indent: x')), { maxLength: 6 }))
  .map(([wrapped, parts]) => (wrapped ? `agents:\n${parts.map((p) => p.replace(/^/gm, '  ')).join('\n')}` : parts.join('\n')));

const promptyDoc = fc
  .tuple(fc.array(frontMatter, { maxLength: 3 }), fc.array(fc.tuple(fc.constantFrom('system:', 'user:', 'assistant:', 'System:', 'tool:'), fc.array(markdownBlock, { maxLength: 4 })), { maxLength: 4 }))
  .map(([fm, sections]) => `---\n${fm.join('\n')}\n---\n${sections.map(([role, blocks]) => `${role}\n${blocks.join('\n')}`).join('\n')}`);

const textDoc = fc.array(fc.oneof(inline, markdownBlock), { maxLength: 10 }).map((ls) => ls.join('\n'));

export interface PromptCase {
  uri: string;
  format?: PromptFormat;
  text: string;
}

const uriFor: Record<PromptFormat, string[]> = {
  markdown: ['planner.md', 'x.prompt.md', 'critic.agent.md', 'AGENTS.md', 'a.chatmode.md', 'rules.instructions.md'],
  yaml: ['agents.yaml', 'prompts/team.yml'],
  prompty: ['ask.prompty'],
  text: ['prompts/solver.txt'],
};

const docOf: Record<PromptFormat, fc.Arbitrary<string>> = { markdown: markdownDoc, yaml: yamlDoc, prompty: promptyDoc, text: textDoc };

export const promptCase: fc.Arbitrary<PromptCase> = fc
  .constantFrom<PromptFormat>('markdown', 'yaml', 'prompty', 'text')
  .chain((format) =>
    fc.record({
      uri: fc.constantFrom(...uriFor[format]),
      // Sometimes the format is forced against what the name says (an unknown extension, a pasted file).
      format: fc.option(fc.constantFrom<PromptFormat>(format, format, 'markdown', 'yaml', 'prompty', 'text'), { nil: undefined }),
      text: mutatedText(docOf[format], 3),
    }),
  );

/** Offsets → (line, character) by the same rules as VS Code: \r\n, \r and \n end a line. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

function positionOf(starts: number[], offset: number): { line: number; character: number } {
  let line = 0;
  while (line + 1 < starts.length && (starts[line + 1] as number) <= offset) line++;
  return { line, character: offset - (starts[line] as number) };
}

export function checkPromptDocument(input: PromptCase, doc: PromptDocument): Finding[] {
  const out: Finding[] = [];
  const { text } = input;
  const starts = lineStarts(text);
  for (const e of doc.errors) {
    if (/could not parse this file/.test(e.message)) out.push(finding('internal-failure', e.message));
    if (!isPosition(e.line) || !isPosition(e.character) || e.line >= starts.length) out.push(finding('error-without-location', `error "${e.message}" at ${e.line}:${e.character} (${starts.length} lines)`));
  }
  for (const unit of allUnits(doc)) {
    const { start, end } = unit.range;
    if (!(isPosition(start.offset) && start.offset <= end.offset && end.offset <= text.length)) {
      out.push(finding('out-of-range', `unit ${unit.id} spans ${start.offset}..${end.offset} of ${text.length}`));
      continue;
    }
    for (const p of [start, end]) {
      const expected = positionOf(starts, p.offset);
      if (expected.line !== p.line || expected.character !== p.character) {
        out.push(finding('out-of-range', `unit ${unit.id}: offset ${p.offset} is ${expected.line}:${expected.character}, the unit says ${p.line}:${p.character}`));
      }
    }
    const quotedYaml = unit.style.quote !== undefined && unit.style.quote !== 'plain';
    if (start.line === end.line && !quotedYaml && text.slice(start.offset, end.offset) !== unit.text) {
      out.push(finding('wrong-value', `unit ${unit.id} (${unit.kind}) reads ${JSON.stringify(unit.text)} but its range holds ${JSON.stringify(text.slice(start.offset, end.offset))}`));
    }
  }
  return out;
}

export const promptFileTarget: FuzzTarget<PromptCase> = {
  name: 'prompt files',
  arbitrary: promptCase,
  check: (input) => checkPromptDocument(input, parsePromptDocument(input.text, { uri: input.uri, ...(input.format ? { format: input.format } : {}) })),
  show: (input) => JSON.stringify(input),
};
