import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  importMarbleText,
  importNativeText,
  importOtlpText,
  importWhoWhenText,
  validateTrajectory,
  type ImportResult,
} from '../../../src/core/trajectory';
import { otlpRequest, type SpanSpec } from './otlpBuilders';
import { fixture, requireSharedFixtures } from './sharedFixtures';

const importers: [string, (text: string) => ImportResult][] = [
  ['native', importNativeText],
  ['otlp', (t) => importOtlpText(t)],
  ['marble', (t) => importMarbleText(t)],
  ['whowhen', (t) => importWhoWhenText(t)],
];

function wellBehaved(result: ImportResult): void {
  assert.ok(Array.isArray(result.trajectories) && Array.isArray(result.errors));
  for (const t of result.trajectories) assert.equal(validateTrajectory(JSON.parse(JSON.stringify(t))).ok, true);
  for (const e of result.errors) {
    assert.equal(typeof e.message, 'string');
    // The importers' last-resort guard turns internal exceptions into this message; it must not fire.
    assert.doesNotMatch(e.message, /could not be assembled|imported record is not a valid trajectory/);
  }
}

describe('importers never throw', () => {
  for (const [name, run] of importers) {
    it(`${name}: arbitrary JSON values and arbitrary text give results, not exceptions`, () => {
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), fc.jsonValue().map((v) => `${JSON.stringify(v)}\n${JSON.stringify(v)}`)), (text) => {
          wellBehaved(run(text));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('otlp: a call tree thousands of levels deep is assembled without exhausting the stack', () => {
    const spans: SpanSpec[] = [];
    for (let i = 0; i < 5000; i++) spans.push({ id: `n${i}`, ...(i > 0 ? { parent: `n${i - 1}` } : {}), start: i, end: 10_000 - i, attrs: i === 0 ? { 'gen_ai.agent.name': 'deep' } : {} });
    spans.push({ id: 'leaf', parent: 'n4999', start: 5000, end: 5001, attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.output.messages': '[{"role":"assistant","content":"bottom"}]' } });
    const result = importOtlpText(JSON.stringify(otlpRequest(spans)));
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.trajectories[0]?.steps.map((s) => [s.agentId, s.output]), [['deep', 'bottom']]);
  });

  describe('on truncated and corrupted copies of the real files (shared fixtures)', () => {
    before(function () {
      requireSharedFixtures(this);
    });
    const files: [string, string[], (text: string) => ImportResult][] = [
      ['otlp', ['otel', 'any-agent__tests__assets__AGNO_trace.json'], (t) => importOtlpText(t)],
      ['marble', ['marble', 'outputs', 'fix-coding__result__development_output.jsonl'], (t) => importMarbleText(t)],
      ['whowhen', ['whowhen', 'hand-crafted', '22.json'], (t) => importWhoWhenText(t)],
    ];
    for (const [name, path, run] of files) {
      it(`${name}: cutting the file anywhere or flipping a character never throws`, () => {
        const text = readFileSync(fixture(...path), 'utf8');
        fc.assert(
          fc.property(fc.nat({ max: text.length }), fc.nat({ max: text.length - 1 }), fc.constantFrom('"', '{', ']', ',', '\n', '\u0000', '9'), (cut, at, ch) => {
            wellBehaved(run(text.slice(0, cut)));
            wellBehaved(run(text.slice(0, at) + ch + text.slice(at + 1)));
          }),
          { numRuns: 60 },
        );
      });
    }
  });
});
