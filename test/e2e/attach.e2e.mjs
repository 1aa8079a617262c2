// Live attach in the real workbench: "TRUCE: Attach to a Running MAS" on a free port, traces of a
// MAS posted from outside (as an OTel exporter in another terminal would), the run growing in the
// trajectory panel while it records, a thumbs up in the panel becoming the task's score, the
// status bar item, and Stop Attaching finishing the run. Screenshot: the panel with the live run.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { panelCommand, panelFrame } from '../support/harness/trajectoryPanel.mjs';
import { selectors } from '../support/harness/workbench.mjs';

// A fixed token through TRUCE_ATTACH_TOKEN: the scenario plays the user's shell, which would have
// pasted the exports the notification offers.
const TOKEN = 'e2e'.padEnd(64, '7');

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const kv = (key, value) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });

/** One execution of a two-agent MAS as OTLP/JSON: a workflow span around a solver and a judge. */
function traceRequest(n, question, answer) {
  const traceId = `${String(n).padStart(4, '0')}${'d'.repeat(28)}`;
  const id = (name) => `${String(n).padStart(2, '0')}${name.padEnd(14, '0')}`;
  const base = 1_700_000_000_000_000_000n + BigInt(n) * 1_000_000_000n;
  const span = (name, parent, from, to, attributes) => ({
    traceId,
    spanId: id(name),
    ...(parent ? { parentSpanId: id(parent) } : {}),
    name: { a1: 'solver', b2: 'judge', f0: 'workflow' }[name],
    kind: 1,
    startTimeUnixNano: String(base + BigInt(from) * 1_000_000n),
    endTimeUnixNano: String(base + BigInt(to) * 1_000_000n),
    attributes,
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', 'my-langgraph-app')] },
        scopeSpans: [
          {
            scope: { name: 'openinference.instrumentation.langchain' },
            spans: [
              span('a1', 'f0', 10, 400, [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.agent.name', 'solver'), kv('gen_ai.prompt.0.role', 'user'), kv('gen_ai.prompt.0.content', question), kv('output.value', `Let me think. The answer is ${answer}.`), kv('gen_ai.usage.input_tokens', 212), kv('gen_ai.usage.output_tokens', 48)]),
              span('b2', 'f0', 420, 800, [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.agent.name', 'judge'), kv('output.value', `Answer: ${answer}`), kv('gen_ai.usage.input_tokens', 305), kv('gen_ai.usage.output_tokens', 9)]),
              span('f0', undefined, 0, 820, [kv('input.value', question)]),
            ],
          },
        ],
      },
    ],
  };
}

async function post(port, body) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

export default [
  {
    name: 'attach: live run in the panel, thumbs up, stop',
    env: { TRUCE_ATTACH_TOKEN: TOKEN },
    timeoutMs: 150_000,
    async run(session) {
      const { page } = session;
      const port = await freePort();
      await panelCommand(page, 'TRUCE: Attach to a Running MAS');
      const input = page.locator(selectors.quickInputBox);
      await input.waitFor({ state: 'visible' });
      assert.equal(await input.inputValue(), '4318', 'the port box offers the OTLP/HTTP default');
      await input.fill(String(port));
      await page.keyboard.press('Enter');
      const toast = page.locator(selectors.notificationToast, { hasText: `listening on http://127.0.0.1:${port}` });
      await toast.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await toast.textContent(), /Copy Exports/);
      const statusItem = page.locator('.statusbar-item', { hasText: `TRUCE :${port}` });
      await statusItem.waitFor({ state: 'visible' });

      // t1 of the fixture's tasks, answered right: the configured choice evaluator scores it.
      await post(port, traceRequest(1, 'Which planet is largest? A) Mars B) Jupiter C) Venus D) Mercury', 'B'));
      await post(port, traceRequest(2, 'Which gas do plants take in for photosynthesis?', 'carbon dioxide'));

      await panelCommand(page, 'TRUCE: Open Trajectory Panel');
      const frame = await panelFrame(page);
      const rows = '.task-list .vl-row[data-task-id^="trace-"]';
      await frame.waitForFunction((sel) => document.querySelectorAll(sel).length === 2, rows, { timeout: 30_000 });

      // A third trace arrives while the panel is open: the list grows without a reload.
      await post(port, traceRequest(3, 'What is the boiling point of water at sea level in Celsius?', '100'));
      await frame.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, rows, { timeout: 30_000 });
      await statusItem.filter({ hasText: '3 traces' }).waitFor({ state: 'visible', timeout: 30_000 });
      // Stored but scored by nothing (no task matches it): the list says unscored, not "not finished".
      const third = '.task-list .vl-row[data-task-id="trace-0003dddddddd"]';
      await frame.waitForFunction((sel) => document.querySelector(`${sel} .outcome`)?.textContent === '–', third, { timeout: 30_000 });
      assert.match(await frame.getAttribute(third, 'aria-label'), /, unscored, /);

      // The second trace matches no task: unscored until the user says so.
      await frame.click('.task-list .vl-row[data-task-id="trace-0002dddddddd"]');
      await frame.waitForSelector('.grid-title .verdicts');
      assert.match(await frame.textContent('.grid-title'), /no outcome/);
      await frame.click('.grid-title .verdict-up');
      await frame.waitForSelector('.grid-title .verdict-up[aria-pressed="true"]');
      await frame.waitForFunction(() => /✓ passed · score 1/.test(document.querySelector('.grid-title')?.textContent ?? ''));
      assert.equal(await frame.getAttribute('.grid-title .verdict-down', 'aria-pressed'), 'false');
      // The run's files changed: the task list follows through the runs watcher.
      await frame.waitForFunction(() => document.querySelector('.task-list .vl-row[data-task-id="trace-0002dddddddd"] .outcome')?.textContent === '✓', undefined, { timeout: 30_000 });
      await session.screenshot('attach-live-panel');

      const manifestOf = async () => {
        const runs = await import('node:fs/promises').then((fs) => fs.readdir(session.file('.truce/runs')));
        const runId = runs.find((r) => /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(r));
        return { runId, manifest: JSON.parse(await session.readFile(`.truce/runs/${runId}/manifest.json`)) };
      };
      const { runId, manifest } = await manifestOf();
      assert.equal(manifest.status, 'running');
      assert.deepEqual(manifest.attach, { port });
      const stored = (await session.readFile(`.truce/runs/${runId}/trajectories.jsonl`)).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(stored.find((t) => t.taskId === 'trace-0002dddddddd').outcome.details, { source: 'user', verdict: 'up' });

      await panelCommand(page, 'TRUCE: Stop Attaching');
      await statusItem.waitFor({ state: 'hidden', timeout: 30_000 });
      // The item goes at once; the run is finished (scored, summary, status) just after.
      const deadline = Date.now() + 30_000;
      while ((await manifestOf()).manifest.status !== 'completed') {
        if (Date.now() > deadline) throw new Error('the attached run was not marked completed after Stop Attaching');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const final = (await session.readFile(`.truce/runs/${runId}/trajectories.jsonl`)).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(final.map((t) => [t.taskId, t.outcome?.score ?? null]), [['trace-0001dddddddd', 1], ['trace-0002dddddddd', 1], ['trace-0003dddddddd', null]]);
    },
  },
];
