import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  activateExtension,
  expectedUnits,
  openFixture,
  PROMPT_FIXTURES,
  setWorkspaceSetting,
  toRange,
  truceLenses,
  waitForLensCount,
} from './support/fixtures';

suite('CodeLens over policy units', () => {
  suiteSetup(activateExtension);

  for (const fixture of PROMPT_FIXTURES) {
    test(`${fixture}: one resolved lens per unit, at the unit's range`, async () => {
      const document = await openFixture(fixture);
      const units = expectedUnits(document);
      assert.ok(units.length > 0, `the core finds no units in ${fixture}; the fixture is meant to have some`);

      const lenses = await waitForLensCount(document.uri, units.length);
      lenses.forEach((lens, i) => {
        const unit = units[i];
        assert.deepEqual(lens.range, toRange(unit), `lens ${i} of ${fixture} is not at unit ${unit.id}`);
        assert.equal(lens.command?.arguments?.[1], unit.id, `lens ${i} of ${fixture} links to the wrong unit`);
        assert.match(lens.command?.title ?? '', /(^|· )Rule \d+\/\d+ · /, `lens ${i} of ${fixture} has no resolved title`);
        assert.equal(lens.command?.title.includes('locked'), unit.locked, `lock state of lens ${i} of ${fixture}`);
      });
    });
  }

  test('core offsets and VS Code positions agree on CRLF and non-BMP text', async () => {
    for (const fixture of ['prompts/crlf.instructions.md', 'prompts/unicode.agent.md']) {
      const document = await openFixture(fixture);
      const text = document.getText();
      for (const unit of expectedUnits(document)) {
        const range = toRange(unit);
        assert.equal(document.offsetAt(range.start), unit.range.start.offset, `start of ${unit.id} in ${fixture}`);
        assert.equal(document.offsetAt(range.end), unit.range.end.offset, `end of ${unit.id} in ${fixture}`);
        assert.equal(document.getText(range), text.slice(unit.range.start.offset, unit.range.end.offset));
      }
    }
  });

  test('titles count rules per agent and name the agent in multi-agent files', async () => {
    const document = await openFixture('agents.yaml');
    const lenses = await waitForLensCount(document.uri, expectedUnits(document).length);
    const titles = lenses.map((lens) => lens.command?.title);
    assert.deepEqual(titles, [
      'researcher · Rule 1/3 · YAML item',
      'researcher · Rule 2/3 · YAML item · $(lock) locked',
      'researcher · Rule 3/3 · YAML item',
      'critic · Rule 1/2 · YAML item',
      'critic · Rule 2/2 · YAML item',
    ]);
  });

  test('titles leave the agent out when only one agent of the file has rules', async () => {
    // writer.prompty has a `system:` block with rules and a `user:` block with only a variable.
    const document = await openFixture('prompts/writer.prompty');
    const lenses = await waitForLensCount(document.uri, expectedUnits(document).length);
    assert.deepEqual(
      lenses.map((lens) => lens.command?.title),
      ['Rule 1/3 · bullet', 'Rule 2/3 · bullet', 'Rule 3/3 · bullet'],
    );
  });

  test('a Markdown file outside the include globs gets no lenses', async () => {
    const document = await openFixture('docs/notes.md');
    assert.ok(expectedUnits(document).length > 0, 'docs/notes.md should look like rules, or this test proves nothing');
    // Give the provider a chance to answer for a prompt file first, so "no lenses" is not just "not ready".
    const prompt = await openFixture('prompts/planner.prompt.md');
    await waitForLensCount(prompt.uri, expectedUnits(prompt).length);
    assert.deepEqual(await truceLenses(document.uri), []);
  });

  test('truce.codeLens.enabled=false removes the lenses and true brings them back', async () => {
    const document = await openFixture('prompts/planner.prompt.md');
    const count = expectedUnits(document).length;
    await waitForLensCount(document.uri, count);
    try {
      await setWorkspaceSetting('truce.codeLens.enabled', false);
      await waitForLensCount(document.uri, 0);
    } finally {
      await setWorkspaceSetting('truce.codeLens.enabled', undefined);
    }
    await waitForLensCount(document.uri, count);
  });

  test('a folder-relative include glob takes effect without a reload', async () => {
    const document = await openFixture('team-rules/style.md');
    assert.deepEqual(await truceLenses(document.uri), []);
    const include = vscode.workspace.getConfiguration('truce.promptFiles').inspect<string[]>('include')?.defaultValue ?? [];
    try {
      await setWorkspaceSetting('truce.promptFiles.include', [...include, 'team-rules/*.md']);
      await waitForLensCount(document.uri, expectedUnits(document).length);
    } finally {
      await setWorkspaceSetting('truce.promptFiles.include', undefined);
    }
    await waitForLensCount(document.uri, 0);
  });

  test('an exclude glob wins over the include globs', async () => {
    const document = await openFixture('prompts/unicode.agent.md');
    const count = expectedUnits(document).length;
    await waitForLensCount(document.uri, count);
    const exclude = vscode.workspace.getConfiguration('truce.promptFiles').inspect<string[]>('exclude')?.defaultValue ?? [];
    try {
      await setWorkspaceSetting('truce.promptFiles.exclude', [...exclude, '**/unicode.agent.md']);
      await waitForLensCount(document.uri, 0);
    } finally {
      await setWorkspaceSetting('truce.promptFiles.exclude', undefined);
    }
    await waitForLensCount(document.uri, count);
  });
});
