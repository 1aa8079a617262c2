/**
 * An optimize round never edits text inside a `<DONT_CHANGE>` span: the GBC optimizer is told to
 * MODIFY, DELETE and add inside the proposer's protected reply format, next to the real fix, and
 * only the fix gets through; after `truce apply` the span is byte-identical.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/runCli';
import { start, type FakeChatRequest, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import type { Workspace } from '../run/debateWorkspace';
import { methodsResponder, PROPOSER_RULE } from './methodsWorld';
import { optimizerWorkspace } from './optimizeWorld';

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

const span = (text: string) => text.slice(text.indexOf('<DONT_CHANGE>'), text.indexOf('</DONT_CHANGE>') + '</DONT_CHANGE>'.length);

describe('optimize never edits a <DONT_CHANGE> span', function () {
  this.timeout(120_000);
  let server: FakeOpenAiServer;
  let ws: Workspace;
  after(async () => {
    await server?.close();
    ws?.remove();
  });

  it('gbc: proposals against protected rules are dropped, the fix is accepted, and the span survives apply byte for byte', async () => {
    const world = methodsResponder();
    let attacks = 0;
    let calls = 0;
    server = await start({
      responder: (req: FakeChatRequest) => {
        const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
        if (system.includes('[truce:gbc-suggest]') && /^## Rules of proposer\b/m.test(req.lastUser)) {
          const locked = [...req.lastUser.matchAll(/^- \[(\S+)\] \(LOCKED\) (Answer|Reasons|Confidence)/gm)].map((m) => m[1] as string);
          attacks += locked.length;
          const fix = { op: 'ADD', newText: PROPOSER_RULE, rationale: 'The proposer named an answer without recomputing the key number.' };
          // GBC takes three edits per call: the fix and two attacks, alternating between calls.
          const attack = [
            ...locked.slice(0, 1).map((id) => ({ op: 'MODIFY', targetUnitId: id, newText: 'Answer: write the option in lower case.', rationale: 'r' })),
            ...locked.slice(-1).map((id) => ({ op: 'DELETE', targetUnitId: id, rationale: 'r' })),
            ...locked.slice(0, 1).map((id) => ({ op: 'ADD', anchorUnitId: id, newText: 'Add a fourth line with your doubts.', rationale: 'r' })),
          ];
          const turn = calls++ % 3;
          return { json: { analysis: fix.rationale, edits: [fix, attack[turn % attack.length], attack[(turn + 1) % attack.length]] } };
        }
        return world(req);
      },
    });
    ws = optimizerWorkspace(server.url);
    const file = join(ws.dir, 'prompts/proposer.md');
    const protectedText = readFileSync(file, 'utf8').replace('## Reply format\n\n', '## Reply format\n\n<DONT_CHANGE>\n').replace(/(3\. Confidence:[^\n]*\n)/, '$1</DONT_CHANGE>\n');
    assert.match(protectedText, /<DONT_CHANGE>\n1\. Answer:[\s\S]*3\. Confidence:[^\n]*\n<\/DONT_CHANGE>/);
    writeFileSync(file, protectedText);

    const r = await cli(['optimize', '--method', 'gbc', '--rounds', '1', '--batch-size', '4'], ws.dir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(attacks >= 2, `the suggestion prompt listed the reply format as LOCKED (${attacks})`);
    for (const op of ['MODIFY', 'DELETE', 'ADD']) assert.match(r.stderr, new RegExp(`\\(${op}\\) dropped: ${op} (?:of|after) rule \\S+, which is inside a <DONT_CHANGE> span`));
    const summary = JSON.parse(r.stdout) as { runId: string; accepted: Array<{ id: string; op: string; newText?: string }> };
    assert.deepEqual(summary.accepted.map((a) => a.newText), [PROPOSER_RULE], `${JSON.stringify(summary.accepted)}\n${r.stderr.slice(-3000)}`);

    for (const { id } of summary.accepted) {
      const applied = await cli(['apply', id, '--run', summary.runId], ws.dir);
      assert.equal(applied.code, 0, applied.stderr);
    }
    const after = readFileSync(file, 'utf8');
    assert.ok(after.includes(PROPOSER_RULE));
    assert.equal(span(after), span(protectedText));
    assert.doesNotMatch(after, /lower case|fourth line/);
  });
});
