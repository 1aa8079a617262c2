/** The parser on real prompt files nobody here wrote (../shared/fixtures; see its SOURCES.md). */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allUnits, parsePromptDocument, type PromptDocument } from '../../../src/core/units';
import { listFiles, requireSharedFixtures } from '../../support/sharedFixtures';

function invariants(source: string, doc: PromptDocument, label: string): void {
  const units = allUnits(doc);
  assert.equal(new Set(units.map((u) => u.id)).size, units.length, `${label}: ids are unique`);
  let lastOffset = -1;
  for (const u of units) {
    assert.ok(u.range.start.offset < u.range.end.offset && u.range.end.offset <= source.length, `${label}: range inside file`);
    if (u.range.start.line === u.range.end.line) assert.equal(source.slice(u.range.start.offset, u.range.end.offset), u.text, `${label}: ${u.id}`);
    const lineStart = source.lastIndexOf('\n', u.range.start.offset - 1) + 1;
    assert.equal(u.range.start.character, u.range.start.offset - lineStart, `${label}: character agrees with offset`);
    assert.ok(!/^```/.test(u.text), `${label}: no code fence as a unit`);
    assert.ok(!/^#{1,6}\s/.test(u.text) || doc.format === 'text', `${label}: no heading as a unit`);
    lastOffset = u.range.start.offset;
  }
  void lastOffset;
}

describe('real prompt files (shared fixtures)', function () {
  let dir = '';
  before(function () {
    dir = requireSharedFixtures(this, 'parsing real prompt files');
  });

  it('parses every prompt fixture without errors (except known-broken front matter) and with exact ranges', () => {
    const files = listFiles(join(dir, 'prompts'));
    assert.ok(files.length >= 20);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const doc = parsePromptDocument(text, { uri: f });
      invariants(text, doc, f);
      // svelte.mdc's front matter has bare `globs: **/*.svelte, src/**/*.ts`, as Cursor writes it: no error.
      assert.deepEqual(doc.errors, [], f);
    }
  });

  it('finds the rules of an Anthropic-style XML/Markdown agent prompt, one per sentence, with the role apart', () => {
    const f = join(dir, 'prompts/anthropic-xml/claude-cookbooks__patterns__agents__prompts__citations_agent.md');
    const doc = parsePromptDocument(readFileSync(f, 'utf8'), { uri: f });
    const units = allUnits(doc);
    // The opening role statement is the role, not a rule; the duty after it in the same paragraph is.
    const context = doc.agents[0].context ?? [];
    assert.equal(context[0].kind, 'role');
    assert.ok(context[0].text.startsWith('You are an agent for adding correct citations'));
    assert.ok(units[0].text.startsWith('Your task is to enhance user trust'));
    assert.equal(units[0].kind, 'sentence');
    const rule = units.find((u) => u.text.startsWith('Do NOT modify the <synthesized_text>'))!;
    assert.deepEqual(rule.sectionPath, ['Rules']);
    // A guideline item with three sentences is three rules; the bold label stays with the first.
    const guideline = units.filter((u) => u.range.start.line === 10);
    assert.equal(guideline.length, 3);
    assert.ok(guideline[0].text.startsWith('**Avoid citing unnecessarily**: Not every statement'));
    assert.ok(guideline.every((u) => u.sectionPath[0] === 'Citation guidelines' && u.kind === 'sentence'));
  });

  it('reads CrewAI agents.yaml as one agent per key: role apart, goal as a rule, persona as context', () => {
    const f = join(dir, 'prompts/crewai/crewAI__templates-flow-content_crew__agents.yaml');
    const doc = parsePromptDocument(readFileSync(f, 'utf8'), { uri: f });
    assert.deepEqual(doc.agents.map((a) => a.id), ['planner', 'writer', 'editor']);
    assert.ok(doc.agents.every((a) => a.units[0].sectionPath[0] === 'goal'));
    assert.ok(doc.agents.every((a) => a.context?.[0].kind === 'role' && a.context[0].sectionPath[0] === 'role'));
    // Backstory: "You're a meticulous editor …" is persona; "You improve prose …" says what it does.
    const editor = doc.agents[2];
    assert.ok(editor.context!.some((u) => u.kind === 'context' && u.text.startsWith("You're a meticulous editor")));
    assert.ok(editor.units.some((u) => u.sectionPath[0] === 'backstory' && u.text.startsWith('You improve prose')));
  });

  it('reads the bare Cursor globs of svelte.mdc as Cursor does (no error) and its 60 rules', () => {
    const f = join(dir, 'prompts/cursor-mdc/awesome-cursorrules__svelte.mdc');
    const doc = parsePromptDocument(readFileSync(f, 'utf8'), { uri: f });
    assert.deepEqual(doc.errors, []);
    assert.equal(allUnits(doc).length, 60);
  });

  it('reads the Who&When system prompts (Markdown per agent) with the role section as structure', () => {
    let agents = 0;
    for (const f of listFiles(join(dir, 'whowhen')).filter((p) => p.endsWith('.json'))) {
      const log = JSON.parse(readFileSync(f, 'utf8')) as { system_prompt?: Record<string, string> };
      for (const [name, prompt] of Object.entries(log.system_prompt ?? {})) {
        const doc = parsePromptDocument(prompt, { uri: `${name}.md`, defaultAgentId: name });
        invariants(prompt, doc, `${f}:${name}`);
        assert.equal(doc.agents[0].id, name);
        assert.ok(allUnits(doc).length > 0, `${f}:${name} has rules`);
        assert.ok(allUnits(doc).every((u) => u.sectionPath[0] !== 'Your role' || u.kind !== 'paragraph'));
        agents++;
      }
    }
    assert.ok(agents >= 20, `read ${agents} system prompts`);
  });
});
