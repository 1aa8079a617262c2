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
      // svelte.mdc's front matter has `globs: **/*.svelte, src/**/*.ts`, which is not valid YAML.
      if (!f.endsWith('svelte.mdc')) assert.deepEqual(doc.errors, [], f);
    }
  });

  it('finds the rules of an Anthropic-style XML/Markdown agent prompt', () => {
    const f = join(dir, 'prompts/anthropic-xml/claude-cookbooks__patterns__agents__prompts__citations_agent.md');
    const units = allUnits(parsePromptDocument(readFileSync(f, 'utf8'), { uri: f }));
    assert.equal(units.length, 14);
    assert.equal(units[1].text.startsWith('Do NOT modify the <synthesized_text>'), true);
    assert.deepEqual(units[1].sectionPath, ['Rules']);
    assert.ok(units.slice(4, 8).every((u) => u.sectionPath[0] === 'Citation guidelines'));
  });

  it('reads CrewAI agents.yaml as one agent per key with the goal as its rule', () => {
    const f = join(dir, 'prompts/crewai/crewAI__templates-flow-content_crew__agents.yaml');
    const doc = parsePromptDocument(readFileSync(f, 'utf8'), { uri: f });
    assert.deepEqual(doc.agents.map((a) => a.id), ['planner', 'writer', 'editor']);
    assert.ok(doc.agents.every((a) => a.units.length === 1 && a.units[0].sectionPath[0] === 'goal'));
  });

  it('reports the invalid front matter of svelte.mdc at its line and still reads 60 rules', () => {
    const f = join(dir, 'prompts/cursor-mdc/awesome-cursorrules__svelte.mdc');
    const doc = parsePromptDocument(readFileSync(f, 'utf8'), { uri: f });
    assert.equal(doc.errors.length, 1);
    assert.equal(doc.errors[0].line, 2);
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
