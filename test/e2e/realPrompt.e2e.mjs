// CodeLens over a real prompt file nobody here wrote: Anthropic's citations agent from
// ../shared/fixtures (read in place, copied only into the throw-away workspace of this run).
// This scenario's screenshot is the one in the README.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliUnitCount } from '../support/harness/e2e.mjs';
import { repoRoot } from '../support/harness/paths.mjs';
import { assertWholeFileRendered, waitForCodeLenses } from '../support/harness/workbench.mjs';

const source = join(repoRoot, '..', 'shared', 'fixtures', 'prompts', 'anthropic-xml', 'claude-cookbooks__patterns__agents__prompts__citations_agent.md');
const target = 'prompts/citations_agent.md';

if (!existsSync(source)) console.log(`[e2e] skipping the real-prompt scenario: ${source} is absent (no ../shared next to the repository)`);

export default existsSync(source)
  ? [
      {
        name: 'a real third-party prompt file: one CodeLens per policy unit',
        async run(session) {
          await copyFile(source, session.file(target));
          const expected = await cliUnitCount(session.file(target));
          assert.ok(expected >= 10, `the citations agent should have at least 10 rules, the CLI found ${expected}`);
          await session.openFile(target);
          const titles = await waitForCodeLenses(session.page, expected);
          await assertWholeFileRendered(session.page, (await session.readFile(target)).split(/\r?\n/).length);
          await session.screenshot('codelens-real-prompt');
          assert.equal(titles.length, expected);
        },
      },
    ]
  : [];
