import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import { RunViewCache } from '../../src/extension/panel/runViewCache';
import type { OtlpSpan, OtlpTraceRequest } from '../../src/core/mas/otlpTypes';
import { encodeTraceRequest, str } from '../support/otlpProto';
import { activateExtension, waitFor } from './support/fixtures';

interface AttachInfo {
  runId: string;
  endpoint: string;
  port: number;
  token: string;
}

interface AttachStatus {
  runId: string;
  traces: number;
  trajectories: number;
  scored: number;
  listening: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A question answered by a solver and a judge, as an instrumented MAS outside TRUCE exports it. */
function trace(n: number, question: string, answer: string): OtlpTraceRequest {
  const traceId = `${String(n).padStart(4, '0')}${'c'.repeat(28)}`;
  const base = 1_700_000_000_000_000_000n + BigInt(n) * 1_000_000_000n;
  // Span names are hex digits, so the name padded out is the span id.
  const id = (name: string) => `${String(n).padStart(2, '0')}${name.padEnd(14, '0')}`;
  const span = (name: string, parent: string | undefined, attributes: OtlpSpan['attributes']): OtlpSpan => ({
    traceId,
    spanId: id(name),
    ...(parent ? { parentSpanId: id(parent) } : {}),
    name,
    kind: 1,
    startTimeUnixNano: String(base),
    endTimeUnixNano: String(base + 1_000_000n),
    attributes,
    events: [],
    links: [],
  });
  return {
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', 'terminal-mas')] },
        scopeSpans: [
          {
            spans: [
              span('a1', 'f0', [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', 'solver'), str('gen_ai.prompt.0.role', 'user'), str('gen_ai.prompt.0.content', question), str('output.value', `I think ${answer}.`)]),
              span('b2', 'f0', [str('gen_ai.operation.name', 'chat'), str('gen_ai.agent.name', 'judge'), str('output.value', `Answer: ${answer}`)]),
              span('f0', undefined, [str('input.value', question)]),
            ],
          },
        ],
      },
    ],
  };
}

suite('TRUCE: Attach to a Running MAS', () => {
  suiteSetup(activateExtension);
  teardown(async () => {
    await vscode.commands.executeCommand('truce.stopAttach');
  });

  test('records posted traces as a live run the panel lists, scores the one matching a task, and finishes it on stop', async () => {
    const port = await freePort();
    const info = await vscode.commands.executeCommand<AttachInfo>('truce.attach', { port, quiet: true });
    assert.ok(info, 'the command returned nothing: see the TRUCE log');
    assert.equal(info.endpoint, `http://127.0.0.1:${port}`);
    const url = `${info.endpoint}/v1/traces`;
    const auth = { authorization: `Bearer ${info.token}` };

    // t1 of the fixture's tasks, answered right (the choice evaluator scores it); then a question
    // no task has, sent as protobuf.
    const first = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(trace(1, 'Which planet is largest? A) Mars B) Jupiter C) Venus D) Mercury', 'B')) });
    assert.equal(first.status, 200);
    const second = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-protobuf' }, body: Uint8Array.from(encodeTraceRequest(trace(2, 'Name a moon of Mars.', 'Phobos'))) });
    assert.equal(second.status, 200);
    const bad = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"resourceSpans": [' });
    assert.equal(bad.status, 400);

    // The panel's view of the workspace's runs: the attached run is there, running, with both traces.
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath as string;
    const listed = await waitFor('the attached run with two tasks in the panel list', async () => {
      const item = (await new RunViewCache(root).list()).find((r) => r.runId === info.runId);
      return item && item.tasks === 2 ? item : undefined;
    });
    assert.equal(listed.state, 'running');
    const scored = await waitFor('the matching trace to be scored', async () => {
      const page = (await new RunViewCache(root).view(info.runId)).tasks(0, 10);
      return page.rows.some((r) => r.outcome !== null) ? page : undefined;
    }, 20_000);
    assert.deepEqual(scored.rows.map((r) => r.outcome), [{ score: 1, success: true }, null]);

    const status = await vscode.commands.executeCommand<AttachStatus>('truce.stopAttach');
    assert.deepEqual([status?.runId, status?.traces, status?.trajectories, status?.scored, status?.listening], [info.runId, 2, 2, 1, false]);
    const after = (await new RunViewCache(root).list()).find((r) => r.runId === info.runId);
    assert.equal(after?.state, 'completed');
    await assert.rejects(fetch(url, { method: 'POST' }), 'the port is closed after stop');
  });

  test('a port in use is refused with what to do, and no run is written', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath as string;
    const before = (await new RunViewCache(root).list()).length;
    try {
      assert.equal(await vscode.commands.executeCommand('truce.attach', { port, quiet: true }), undefined);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    assert.equal((await new RunViewCache(root).list()).length, before);
  });

  test('the attach commands are contributed and registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['truce.attach', 'truce.stopAttach', 'truce.attachMenu', 'truce.copyAttachExports']) assert.ok(commands.includes(id), id);
    const contributed = (vscode.extensions.getExtension('truce-dev.truce-vscode')?.packageJSON.contributes.commands ?? []) as Array<{ command: string; title: string }>;
    assert.equal(contributed.find((c) => c.command === 'truce.attach')?.title, 'Attach to a Running MAS');
  });
});
