import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { runCli } from '../../../src/cli/runCli';
import { parseAgentFile } from '../../../src/core/credit/agentUnits';
import { sarifRegion } from '../../../src/core/sarif/sarifLog';
import { LineIndex } from '../../../src/core/units/lineIndex';
import { start, type FakeOpenAiServer } from '../../support/fakeOpenAiServer';
import { debateWorkspace, REPO_ROOT, type Workspace } from '../run/debateWorkspace';
import { optimizerResponder, optimizerWorkspace, PLANTED } from '../optimize/optimizeWorld';

/** The official SARIF 2.1.0 schema (rtm.5, a JSON Schema draft-04), as published in @microsoft/jest-sarif; formats (uri, date-time) checked too. */
const SCHEMA = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
// unicodeRegExp off: one pattern of the published schema (language, `...{2}]?$`) has a stray bracket that only the `u` flag rejects.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(SCHEMA);

function assertValidSarif(log: unknown): void {
  const ok = validateSarif(log);
  assert.ok(ok, `not valid SARIF 2.1.0: ${JSON.stringify(validateSarif.errors, null, 2)}`);
}

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {} });
  return { code, stdout, stderr };
}

interface SarifRegionShape {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: SarifRegionShape } }>;
  fixes?: Array<{ artifactChanges: Array<{ artifactLocation: { uri: string }; replacements: Array<{ deletedRegion: SarifRegionShape; insertedContent: { text: string } }> }> }>;
  properties: Record<string, unknown>;
}
interface SarifLog {
  version: string;
  runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: SarifResult[]; originalUriBaseIds?: Record<string, { uri: string }> }>;
}

/** Applies a SARIF replacement to the text the way a SARIF consumer would: 1-based lines and columns, end exclusive. */
function applyReplacement(text: string, region: SarifRegionShape, inserted: string): string {
  const index = new LineIndex(text);
  const start = index.starts[region.startLine - 1]! + region.startColumn - 1;
  const end = index.starts[region.endLine - 1]! + region.endColumn - 1;
  return text.slice(0, start) + inserted + text.slice(end);
}

const RUN_ID = '20261207-101500-ab12';

describe('SARIF output (truce report / suggest --format sarif)', function () {
  this.timeout(60_000);

  describe('on a run with hand-written credit and suggestions', () => {
    let ws: Workspace;
    let proposer: string;
    let units: ReturnType<typeof parseAgentFile>['agents'][number]['units'];
    beforeEach(() => {
      ws = debateWorkspace('http://127.0.0.1:9/v1');
      proposer = readFileSync(join(ws.dir, 'prompts/proposer.md'), 'utf8');
      units = parseAgentFile({ id: 'proposer', kind: 'role', prompt: 'prompts/proposer.md' }, proposer).agents[0]!.units;
      const dir = join(ws.dir, '.truce/runs', RUN_ID);
      mkdirSync(dir, { recursive: true });
      // Only its presence marks a plain run; its tasks come from trajectories.jsonl (none here).
      writeFileSync(join(dir, 'manifest.json'), '{}');
      const [first, second, third] = units;
      const signal = (ref: string, taskId: string, score: number) => ({ scope: 'unit', ref, taskId, score, text: `credit for ${ref} on ${taskId}`, evidence: ['r1.proposer'], method: 'truce' });
      writeFileSync(
        join(dir, 'credit.jsonl'),
        [signal(first!.id, 't1', -0.8), signal(first!.id, 't2', -0.4), signal(second!.id, 't1', 0.5), signal(second!.id, 't2', 0.5)].map((s) => JSON.stringify(s)).join('\n') + '\n',
      );
      const suggestion = (id: string, edit: Record<string, unknown>) => ({ id, file: 'prompts/proposer.md', edit: { agentId: 'proposer', ...edit }, rationale: `why ${id}`, evidence: [], support: 0.5, tasks: ['t1', 't2'], credit: -0.6, method: 'truce', status: 'proposed' });
      writeFileSync(
        join(dir, 'suggestions.json'),
        JSON.stringify([
          suggestion('s-modify000001', { op: 'MODIFY', targetUnitId: first!.id, oldText: first!.text, newText: 'State your answer first and keep it to one line.' }),
          suggestion('s-delete000002', { op: 'DELETE', targetUnitId: third!.id, oldText: third!.text }),
          suggestion('s-stale0000003', { op: 'MODIFY', targetUnitId: 'proposer/gone', oldText: `${second!.text} Always cite the source.`, newText: 'Something else.' }),
          { ...suggestion('s-reject000004', { op: 'DELETE', targetUnitId: second!.id, oldText: second!.text }), status: 'rejected' },
        ]),
      );
    });
    afterEach(() => ws.remove());

    it('places blamed rules and suggestions on the exact rule ranges, with fixes that give the planned text, and validates', async () => {
      const r = await cli(['report', RUN_ID, '--format', 'sarif'], ws.dir);
      assert.equal(r.code, 0, r.stderr);
      const log = JSON.parse(r.stdout) as SarifLog;
      assertValidSarif(log);
      assert.equal(log.version, '2.1.0');
      const run = log.runs[0]!;
      assert.match(run.originalUriBaseIds?.['%SRCROOT%']?.uri ?? '', /^file:\/\/.*\/$/);
      const byRule = (id: string) => run.results.filter((x) => x.ruleId === id);
      for (const result of run.results) assert.equal(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId, 'ruleIndex points at its rule');

      const [first, second, third] = units;
      const blamed = byRule('TRUCE1001');
      assert.equal(blamed.length, 1, 'only the rule with negative credit');
      assert.deepEqual(blamed[0]!.locations[0]!.physicalLocation, { artifactLocation: { uri: 'prompts/proposer.md', uriBaseId: '%SRCROOT%' }, region: sarifRegion(first!.range) });
      assert.equal(blamed[0]!.level, 'warning');
      assert.match(blamed[0]!.message.text, /blamed in 2 of 2 tasks \(mean credit -0\.60\)/);
      // 1-based: the rule "State your answer…" sits on a list line after "- ".
      const line = proposer.split('\n').findIndex((l) => l.includes(first!.text.slice(0, 20)));
      assert.deepEqual(sarifRegion(first!.range), { startLine: line + 1, startColumn: 3, endLine: line + 1, endColumn: 3 + first!.text.length });

      const modify = byRule('TRUCE2001');
      assert.equal(modify.length, 1);
      assert.deepEqual(modify[0]!.locations[0]!.physicalLocation.region, sarifRegion(first!.range));
      const change = modify[0]!.fixes![0]!.artifactChanges[0]!;
      assert.equal(change.artifactLocation.uri, 'prompts/proposer.md');
      const fixed = applyReplacement(proposer, change.replacements[0]!.deletedRegion, change.replacements[0]!.insertedContent.text);
      assert.equal(fixed, proposer.replace(first!.text, 'State your answer first and keep it to one line.'));

      const del = byRule('TRUCE2002');
      assert.equal(del.length, 1);
      assert.deepEqual(del[0]!.locations[0]!.physicalLocation.region, sarifRegion(third!.range));
      const delChange = del[0]!.fixes![0]!.artifactChanges[0]!.replacements[0]!;
      const afterDelete = applyReplacement(proposer, delChange.deletedRegion, delChange.insertedContent.text);
      assert.ok(!afterDelete.includes(third!.text) && afterDelete.includes(second!.text), 'the fix removes that rule only');

      const stale = byRule('TRUCE2900');
      assert.equal(stale.length, 1, 'the edited rule is reported as stale');
      assert.equal(stale[0]!.level, 'note');
      assert.equal(stale[0]!.fixes, undefined, 'no fix for a suggestion that no longer fits');
      assert.deepEqual(stale[0]!.locations[0]!.physicalLocation.region, sarifRegion(second!.range));
      assert.ok(!run.results.some((x) => x.properties.suggestionId === 's-reject000004'), 'closed suggestions are not reported');
      // The validator does reject what SARIF forbids: a 0-based line, an unknown level.
      const broken = JSON.parse(r.stdout) as SarifLog;
      broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
      assert.equal(validateSarif(broken), false);
      const badLevel = JSON.parse(r.stdout) as SarifLog;
      badLevel.runs[0]!.results[0]!.level = 'critical';
      assert.equal(validateSarif(badLevel), false);
    });

    it('writes to --out and refuses an unknown format, a missing run and a bad run id with clear errors', async () => {
      const out = await cli(['report', RUN_ID, '--format', 'sarif', '--out', 'truce.sarif'], ws.dir);
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout, '');
      assert.match(out.stderr, /wrote truce\.sarif \(SARIF, 4 results from run 20261207-101500-ab12\)/);
      assertValidSarif(JSON.parse(readFileSync(join(ws.dir, 'truce.sarif'), 'utf8')));

      const unknown = await cli(['report', RUN_ID, '--format', 'sarf'], ws.dir);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--format must be md, json, junit or sarif, got "sarf"/);
      const missing = await cli(['report', '20261207-101500-cd34', '--format', 'sarif'], ws.dir);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /There is no run 20261207-101500-cd34/);
      const bad = await cli(['report', '../../etc', '--format', 'sarif'], ws.dir);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /is not a run id/);
      const suggestFormat = await cli(['suggest', RUN_ID, '--format', 'xml'], ws.dir);
      assert.equal(suggestFormat.code, 2);
      assert.match(suggestFormat.stderr, /--format must be table, json or sarif, got "xml"/);
      const both = await cli(['suggest', RUN_ID, '--json', '--format', 'sarif'], ws.dir);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--json and --format sarif ask for two outputs/);
    });

    it('says so when the workspace has no runs, and gives a valid empty log for a run without findings', async () => {
      const empty = debateWorkspace('http://127.0.0.1:9/v1');
      try {
        const none = await cli(['report', 'latest', '--format', 'sarif'], empty.dir);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /No runs in .* yet; start one with `truce run`/);
        const dir = join(empty.dir, '.truce/runs', RUN_ID);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'manifest.json'), '{}');
        const bare = await cli(['report', RUN_ID, '--format', 'sarif'], empty.dir);
        assert.equal(bare.code, 0, bare.stderr);
        const log = JSON.parse(bare.stdout) as SarifLog;
        assertValidSarif(log);
        assert.deepEqual(log.runs[0]!.results, []);
        assert.match(bare.stderr, /has no credit and no open suggestions yet; run `truce credit/);
      } finally {
        empty.remove();
      }
    });
  });

  describe('end to end against the fake endpoint', () => {
    let server: FakeOpenAiServer;
    let ws: Workspace;
    afterEach(async () => {
      await server.close();
      ws.remove();
    });

    it('run → credit → suggest --format sarif: the planted rule arrives as a fix on the judge prompt', async () => {
      server = await start({ responder: optimizerResponder('needs-rule') });
      ws = optimizerWorkspace(server.url);
      assert.equal((await cli(['run', '--split', 'train'], ws.dir)).code, 0);
      assert.equal((await cli(['credit', 'latest'], ws.dir)).code, 0);
      const r = await cli(['suggest', 'latest', '--format', 'sarif'], ws.dir);
      assert.equal(r.code, 0, r.stderr);
      const log = JSON.parse(r.stdout) as SarifLog;
      assertValidSarif(log);
      const add = log.runs[0]!.results.find((x) => x.ruleId === 'TRUCE2003');
      assert.ok(add, JSON.stringify(log.runs[0]!.results.map((x) => x.ruleId)));
      assert.equal(add.locations[0]!.physicalLocation.artifactLocation.uri, 'prompts/judge.prompty');
      const change = add.fixes![0]!.artifactChanges[0]!.replacements[0]!;
      const judge = readFileSync(join(ws.dir, 'prompts/judge.prompty'), 'utf8');
      const after = applyReplacement(judge, change.deletedRegion, change.insertedContent.text);
      assert.ok(after.includes(PLANTED) && !judge.includes(PLANTED));
      assert.equal(after.length, judge.length + change.insertedContent.text.length, 'an insertion deletes nothing');
    });
  });
});
