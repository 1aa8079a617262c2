/**
 * A strong model's real answers to the Φ prompt on six shared Who&When logs
 * (../shared/fixtures/llm-answers), replayed verbatim through the loopback fake: the pick must name
 * the culprit each answer names first (its README lists them) and never a step the answer only
 * praises. These answers were written for an earlier Φ prompt without the decisive question, so
 * they exercise the verdict path of the pick.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTruceMethod, truceDetails } from '../../../../src/core/credit/truce';
import { importWhoWhenText } from '../../../../src/core/trajectory';
import { start, type FakeOpenAiServer } from '../../../support/fakeOpenAiServer';
import { requireSharedFixtures } from '../../../support/sharedFixtures';
import { makeContext, systemOf } from '../bcd/fixtures';

/** The culprit each answer names first, from the fixture's README. */
const CULPRITS: Record<string, string> = { '24': 'Orchestrator@s1', '6': 'Orchestrator@s5', '48': 'WebSurfer@s4', '32': 'Orchestrator@s5', '43': 'Assistant@s12', '29': 'WebSurfer@s12' };

describe('the pick on real model answers (shared fixtures)', function () {
  this.timeout(30_000);
  let fixtures: string;
  let server: FakeOpenAiServer;
  let reply = '';

  before(async function () {
    fixtures = requireSharedFixtures(this, 'replaying real Φ answers');
    server = await start({
      responder: (req) => {
        if (req.jsonSchema?.name === 'truce_probe') return { json: { ok: true } };
        return systemOf(req).includes('[truce:phi]') ? { content: reply } : { content: 'unexpected' };
      },
    });
  });
  after(() => server?.close());

  for (const [log, culprit] of Object.entries(CULPRITS)) {
    it(`log ${log}: names ${culprit}, never a step only praised`, async () => {
      reply = readFileSync(join(fixtures, 'llm-answers', `${log}-truce-1.answer.txt`), 'utf8');
      const [trajectory] = importWhoWhenText(readFileSync(join(fixtures, 'whowhen', 'hand-crafted', `${log}.json`), 'utf8'), { source: `hand-crafted/${log}.json` }).trajectories;
      assert.ok(trajectory);
      const report = await createTruceMethod().credit(makeContext(server.url), [trajectory]);
      const blame = truceDetails(report).blame[trajectory.taskId];
      assert.equal(`${blame?.agent}@${blame?.stepId}`, culprit, blame?.why);
      const parsed = JSON.parse(reply) as { parts: Array<{ highlights: Array<{ stepIds: string[] }>; issues: Array<{ stepIds: string[] }> }> };
      const praised = new Set(parsed.parts.flatMap((p) => p.highlights.flatMap((h) => h.stepIds)));
      const blamed = new Set(parsed.parts.flatMap((p) => p.issues.flatMap((i) => i.stepIds)));
      assert.ok(!praised.has(blame!.stepId!) || blamed.has(blame!.stepId!), `${blame?.stepId} is only praised in the answer`);
    });
  }
});
