// The offline demo as a newcomer meets it: the debate example with no LLM endpoint anywhere.
// Run MAS goes to the demo world by itself, and the workbench says so — a status bar item
// "TRUCE: demo world, not an LLM", the run summary marked "demo", and a notification explaining
// why. The screenshot shows the label.
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../support/harness/paths.mjs';
import { runCommand, selectors } from '../support/harness/workbench.mjs';

const DIR = 'demo-debate';
const FILES = ['truce.yaml', 'agents.yaml', 'tasks.jsonl', 'demo-world.yaml', 'prompts/proposer.md', 'prompts/judge.prompty'];

/** A port nothing listens on: bound, then released. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The example as shipped, under DIR, with its executor on a port where nothing answers. */
async function writeExample(session) {
  const example = join(repoRoot, 'examples', 'debate-mas');
  for (const file of FILES) {
    await mkdir(dirname(session.file(`${DIR}/${file}`)), { recursive: true });
    await copyFile(join(example, file), session.file(`${DIR}/${file}`));
  }
  const config = parse(await readFile(join(example, 'truce.yaml'), 'utf8'));
  for (const agent of config.agents) agent.prompt = `${DIR}/${agent.prompt}`;
  config.tasks.file = `${DIR}/${config.tasks.file}`;
  config.demo.world = `${DIR}/${config.demo.world}`;
  config.llm.executor.baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
  await writeFile(session.file(`${DIR}/truce.yaml`), stringify(config));
}

export default [
  {
    name: 'demo mode: Run MAS with no endpoint runs the demo world and labels it in the status bar',
    settings: { 'truce.configPath': `${DIR}/truce.yaml` },
    timeoutMs: 120_000,
    async run(session) {
      const { page } = session;
      await writeExample(session);
      await session.openFile(`${DIR}/prompts/proposer.md`);
      await runCommand(page, 'TRUCE: Run MAS');
      // The split picker: all tasks.
      await page.locator(selectors.quickInputRow, { hasText: 'All tasks' }).first().waitFor({ state: 'visible' });
      await page.keyboard.press('Enter');

      const label = page.locator('.statusbar-item', { hasText: 'demo world, not an LLM' });
      await label.first().waitFor({ state: 'visible', timeout: 60_000 });
      const summary = page.locator('.statusbar-item', { hasText: /TRUCE: \d\.\d\d · 141 calls · demo/ });
      await summary.first().waitFor({ state: 'visible', timeout: 60_000 });
      const notice = page.locator(selectors.notificationToast, { hasText: 'scripted replies, not an LLM' });
      await notice.first().waitFor({ state: 'visible', timeout: 20_000 });
      await session.screenshot('demo-mode-status-bar');

      assert.match(await label.first().innerText(), /TRUCE: demo world, not an LLM/);
      const [runId] = await readdir(session.file('.truce/runs'));
      const manifest = JSON.parse(await readFile(session.file(`.truce/runs/${runId}/manifest.json`), 'utf8'));
      assert.equal(manifest.endpoints.executor.model, 'demo-world', 'the stored run names the demo world');
    },
  },
];
