// CodeLens as a user sees them: open a prompt file through Quick Open and count the lenses the
// editor renders against the policy units the CLI parses from the same file. The two go through
// the same core parser, so any difference is a bug in the extension's wiring (selector, index,
// provider, resolve) or in the packaged .vsix.
import assert from 'node:assert/strict';
import { cliUnitCount } from '../support/harness/e2e.mjs';
import { assertWholeFileRendered, waitForCodeLenses } from '../support/harness/workbench.mjs';

/** One scenario per file: a Markdown prompt with front matter, and a multi-agent YAML file. */
const files = [
  { path: 'prompts/planner.prompt.md', screenshot: 'codelens-planner-prompt' },
  { path: 'agents.yaml', screenshot: 'codelens-agents-yaml' },
];

export default files.map(({ path, screenshot }) => ({
  name: `${path}: one CodeLens per policy unit the CLI reports`,
  async run(session) {
    const expected = await cliUnitCount(session.file(path));
    assert.ok(expected > 0, `the fixture ${path} should contain policy units`);

    await session.openFile(path);
    const lineCount = (await session.readFile(path)).split(/\r?\n/).length;
    const titles = await waitForCodeLenses(session.page, expected);
    // Counted only after the lenses are in: they push lines down, and every line must be in view.
    await assertWholeFileRendered(session.page, lineCount);
    await session.screenshot(screenshot);

    assert.equal(titles.length, expected);
    for (const title of titles) assert.ok(title.trim().length > 0, `a CodeLens has an empty title: ${JSON.stringify(titles)}`);
  },
}));
