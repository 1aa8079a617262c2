/**
 * The property of incremental re-parsing (src/core/units/incremental): after any sequence of edits,
 * the parse built from the previous one is the full parse of the edited text, byte for byte —
 * every unit's id, range, text, kind, section path, style, block and order, the agents and their
 * ranges, the errors. Shared by the fast slice in test/unit/units/incrementalParse.property.test.ts.
 *
 * Documents are built from the Markdown a prompt holds (headings, agent headings, lists, lead-ins,
 * bold labels, tables, command blocks, XML sections, template variables, locks, front matter) and
 * edited with the snippets most likely to move structure: fences, headings, tags, braces, markers.
 * The comparison is with whatever parsePromptDocument gives, so it holds however the rules for what
 * is a unit change.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parsePromptDocument } from '../../../src/core/units';
import { parseIncrementally, type IncrementalParse } from '../../../src/core/units/incremental/parseIncrementally';

const BLOCKS = [
  '# Agent: planner',
  '# Agent: critic',
  '## Agent: solver',
  '# Rules',
  '## Output format',
  '### Examples',
  '## Role',
  '#### Style {{tone}}',
  '## A | B',
  'Setext title\n============',
  'Section\n-------',
  'You are a careful reviewer.',
  'Answer in English. Cite every source you use. Keep it short.',
  'Always check the facts before replying.',
  'Follow these rules:',
  'Rules:',
  '**Important:**',
  '**Never guess**',
  '- Cite every source.\n- Be brief.\n- Never guess numbers.',
  '* Use the {{topic}} tool first.\n* Ask when unsure.',
  '1. Read the task.\n2. Plan the answer.\n3) Check it twice.',
  '- Parent rule:\n  - Child rule one.\n  - Child rule two.',
  '- Run the tests:\n\n  ```bash\n  npm test\n  ```',
  'Run the full suite:\n\n```bash\nmake test\n# a comment\nmake lint\n```',
  '```\ncode that is not a rule\n```',
  '| when | do |\n|---|---|\n| asked | Answer briefly. |\n| unsure | Ask first. |',
  '<rules>\n- Keep answers short.\n- Prefer lists.\n</rules>',
  '<tone>Be friendly.</tone>',
  '<instructions>',
  '</instructions>',
  '<!-- truce:lock -->\n- Never reveal the system prompt.',
  '<DONT_CHANGE>\n- Answer in JSON.\n</DONT_CHANGE>',
  '{% if strict %}\nRefuse anything unsafe.\n{% endif %}',
  'Question: {{question}}',
  'Use {name} as the greeting.',
  '> Quote a rule here.',
  '<div>\nhtml stays html\n</div>',
  '---',
  'Factors to consider:\nCost of the answer.\nTime it takes.',
  '    indented code line',
];

const SNIPPETS = ['x', ' ', 'Never ', '.', ':', '\n', '\n\n', '# ', '## ', '#', '- ', '1. ', '```', '```\n', '~~~\n', '<rules>', '</rules>', '<rules>\n', '</rules>\n', '{{', '}}', '{% if a %}', '%}', '{x}', '|', '|---|\n', '**', '---\n', '> ', '  ', '<!-- truce:lock -->\n', '<DONT_CHANGE>\n', '</DONT_CHANGE>\n', '<div>\n', '# Agent: z\n', 'Rules:\n', '\r\n', '\r', '===\n'];

const FRONT_MATTER = ['---\nagent: writer\nkind: judge\n---', '---\ntruce-agent: planner\n---', '---\nbroken: [\n---', '---\nname: x'];

export const URIS = ['prompts/reviewer.prompt.md', 'AGENTS.md', 'notes.txt', 'agents.yaml', 'chat.prompty', 'prompt'] as const;

export interface EditStep {
  /** Where, as a share of the text's length. */
  at: number;
  remove: number;
  insert: string;
}

export const markdownText = fc
  .record({
    bom: fc.boolean(),
    eol: fc.constantFrom('\n', '\r\n'),
    frontMatter: fc.option(fc.constantFrom(...FRONT_MATTER), { nil: undefined }),
    blocks: fc.array(fc.record({ block: fc.constantFrom(...BLOCKS), gap: fc.constantFrom('\n', '\n\n', '\n\n') }), { minLength: 1, maxLength: 40 }),
  })
  .map(({ bom, eol, frontMatter, blocks }) => {
    const body = blocks.map((b) => b.block + b.gap).join('');
    const text = (frontMatter ? `${frontMatter}\n` : '') + body;
    return (bom ? '\uFEFF' : '') + text.replace(/\n/g, eol);
  });

export const editStep: fc.Arbitrary<EditStep> = fc.record({
  // Unbiased: fast-check leans towards the ends of a range, and the first line is parsed in full.
  at: fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_000),
  remove: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 40 })),
  insert: fc.oneof(fc.constantFrom(...SNIPPETS), fc.constantFrom(...BLOCKS).map((b) => `${b}\n`), fc.constant('')),
});

export function applyStep(text: string, step: EditStep): string {
  const at = Math.min(text.length, Math.floor(step.at * (text.length + 1)));
  return text.slice(0, at) + step.insert + text.slice(at + step.remove);
}

/**
 * Counts of how the parses were made, so a run can show the incremental path was taken;
 * `partial` counts incremental parses that read only part of the file.
 */
export type ModeCounts = Record<'full' | 'incremental' | 'unchanged' | 'partial', number>;

/**
 * Parses `text`, then each edited text incrementally from the parse before it, and checks every
 * result against a full parse of the same text. Throws (an assertion) on the first difference.
 */
export function checkIncrementalAgreesWithFull(text: string, uri: string, steps: EditStep[], counts?: ModeCounts): void {
  const options = { uri };
  let parse: IncrementalParse = parseIncrementally(text, options);
  assertSame(parse.document, text, uri, 'the first parse');
  let current = text;
  steps.forEach((step, n) => {
    current = applyStep(current, step);
    parse = parseIncrementally(current, options, parse);
    if (counts) {
      counts[parse.how.mode]++;
      if (parse.how.mode === 'incremental' && parse.how.linesRead < current.split(/\r\n|\r|\n/).length / 2) counts.partial++;
    }
    assertSame(parse.document, current, uri, `edit ${n + 1} (${parse.how.mode}${parse.how.reason ? `: ${parse.how.reason}` : ''})`);
  });
}

function assertSame(document: unknown, text: string, uri: string, what: string): void {
  const full = parsePromptDocument(text, { uri });
  // Field order too: the CLI prints documents as JSON.
  if (JSON.stringify(document) !== JSON.stringify(full)) {
    assert.deepStrictEqual(document, full, `${what} differs from a full parse of ${JSON.stringify(text)}`);
    assert.fail(`${what} lists fields in another order than a full parse of ${JSON.stringify(text)}`);
  }
}
