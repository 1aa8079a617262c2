/**
 * Incremental re-parsing takes the short path where it should, says why when it does not, and its
 * result is the full parse's (the property test covers agreement on random documents and edits).
 */
import { strict as assert } from 'node:assert';
import { parsePromptDocument } from '../../../src/core/units';
import { parseIncrementally } from '../../../src/core/units/incremental/parseIncrementally';

/** Agents with sections of bullets: about 20 lines per section. */
function longPrompt(agents: number, eol = '\n'): string {
  const lines: string[] = [];
  for (let a = 0; a < agents; a++) {
    lines.push(`# Agent: agent${a}`, '', 'You are one of the debaters.', '');
    for (let s = 0; s < 4; s++) {
      lines.push(`## Section ${s}`, '');
      for (let i = 0; i < 6; i++) lines.push(`- Rule ${i} of section ${s} for agent ${a}: cite every source.`);
      lines.push('', 'Keep answers short. Never guess numbers.', '');
    }
  }
  return lines.join(eol);
}

const URI = 'prompts/long.prompt.md';

function edited(text: string, find: string, replace: string): string {
  const at = text.indexOf(find);
  assert.ok(at >= 0, `"${find}" is not in the text`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

function assertFull(document: unknown, text: string, uri = URI): void {
  assert.equal(JSON.stringify(document), JSON.stringify(parsePromptDocument(text, { uri })));
}

describe('incremental parse', () => {
  const text = longPrompt(20);
  const lineCount = text.split('\n').length;

  it('re-reads only the section of a changed bullet and gives the full parse', () => {
    const first = parseIncrementally(text, { uri: URI });
    assert.equal(first.how.mode, 'full');
    const next = edited(text, 'Rule 3 of section 2 for agent 11', 'Rule 3 of section 2 for agent eleven');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'incremental');
    assert.ok(parse.how.linesRead < 30, `read ${parse.how.linesRead} of ${lineCount} lines`);
    assertFull(parse.document, next);
  });

  it('moves the units after an inserted line and keeps their ids', () => {
    const first = parseIncrementally(text, { uri: URI });
    const next = edited(text, '- Rule 0 of section 1 for agent 3', '- Name the deadline of every step.\n- Rule 0 of section 1 for agent 3');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'incremental');
    assertFull(parse.document, next);
    const before = first.document.agents.find((a) => a.id === 'agent19')!.units;
    const after = parse.document.agents.find((a) => a.id === 'agent19')!.units;
    assert.deepEqual(after.map((u) => u.id), before.map((u) => u.id));
    assert.equal(after[0].range.start.line, before[0].range.start.line + 1);
  });

  it('renaming a section re-reads that section and the rules under it get new ids', () => {
    const first = parseIncrementally(text, { uri: URI });
    const next = edited(text, '## Section 1\n\n- Rule 0 of section 1 for agent 5', '## Checks\n\n- Rule 0 of section 1 for agent 5');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'incremental');
    assert.ok(parse.how.linesRead < 60, `read ${parse.how.linesRead} lines`);
    assertFull(parse.document, next);
    const unit = parse.document.agents.find((a) => a.id === 'agent5')!.units.find((u) => u.text.startsWith('Rule 0 of section 1'))!;
    assert.deepEqual(unit.sectionPath, ['Checks']);
  });

  it('an agent heading typed in the middle moves the rules below it to the new agent', () => {
    const first = parseIncrementally(text, { uri: URI });
    const next = edited(text, '## Section 2\n\n- Rule 0 of section 2 for agent 7', '# Agent: reviewer\n\n## Section 2\n\n- Rule 0 of section 2 for agent 7');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assertFull(parse.document, next);
    const reviewer = parse.document.agents.find((a) => a.id === 'reviewer');
    // Sections 2 and 3 of agent 7: six bullets and two sentences each.
    assert.equal(reviewer?.units.length, 16);
    assert.ok(reviewer.units.every((u) => u.text.includes('for agent 7') || /^(Keep|Never)/.test(u.text)));
  });

  it('renaming the agent on the first line re-reads that agent only', () => {
    const first = parseIncrementally(text, { uri: URI });
    const next = edited(text, '# Agent: agent0\n', '# Agent: opener\n');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'incremental');
    assert.ok(parse.how.linesRead < 120, `read ${parse.how.linesRead} lines`);
    assertFull(parse.document, next);
    assert.deepEqual(parse.document.agents.slice(0, 2).map((a) => a.id), ['opener', 'agent1']);
  });

  it('an unclosed code fence swallows the rest of the file: a full parse, and the units below are gone', () => {
    const first = parseIncrementally(text, { uri: URI });
    const next = edited(text, '- Rule 0 of section 0 for agent 2', '```\n- Rule 0 of section 0 for agent 2');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'full');
    assert.equal(parse.how.reason, 'the change reaches too far');
    assertFull(parse.document, next);
  });

  it('CRLF files, and line breaks changed from CRLF to LF in the middle', () => {
    const crlf = longPrompt(6, '\r\n');
    const first = parseIncrementally(crlf, { uri: URI });
    assertFull(first.document, crlf);
    const next = edited(crlf, 'agent 3: cite every source.\r\n', 'agent 3: cite every source.\n');
    const parse = parseIncrementally(next, { uri: URI }, first);
    assert.equal(parse.how.mode, 'incremental');
    assertFull(parse.document, next);
  });

  it('the same text again returns the same document', () => {
    const first = parseIncrementally(text, { uri: URI });
    const again = parseIncrementally(`${text}`, { uri: URI }, first);
    assert.equal(again.how.mode, 'unchanged');
    assert.equal(again.document, first.document);
  });

  it('edits in the front matter, and other formats, are parsed in full and say why', () => {
    const withFrontMatter = `---\nagent: writer\n---\n${text}`;
    const first = parseIncrementally(withFrontMatter, { uri: URI });
    const renamed = edited(withFrontMatter, 'agent: writer', 'agent: editor');
    const parse = parseIncrementally(renamed, { uri: URI }, first);
    assert.deepEqual([parse.how.mode, parse.how.reason], ['full', 'the front matter changed']);
    assertFull(parse.document, renamed);

    const yaml = 'planner:\n  rules:\n    - Cite every source.\n';
    const yamlFirst = parseIncrementally(yaml, { uri: 'agents.yaml' });
    const yamlNext = parseIncrementally(`${yaml}    - Be brief.\n`, { uri: 'agents.yaml' }, yamlFirst);
    assert.deepEqual([yamlNext.how.mode, yamlNext.how.reason], ['full', 'yaml is always parsed in full']);
    assertFull(yamlNext.document, `${yaml}    - Be brief.\n`, 'agents.yaml');
  });

  it('a parse of another file is not reused', () => {
    const first = parseIncrementally(text, { uri: URI });
    const other = parseIncrementally(text, { uri: 'prompts/other.prompt.md' }, first);
    assert.deepEqual([other.how.mode, other.how.reason], ['full', 'another file or agent']);
    assertFull(other.document, text, 'prompts/other.prompt.md');
  });
});
