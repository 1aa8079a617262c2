/** Regression tests for the defects the fuzzers found (inputs in test/support/fuzz/knownDefects.ts). */
import { strict as assert } from 'node:assert';
import { configTarget, FUZZ_REGRESSIONS, importTarget, promptFileTarget, type Finding, type KnownDefect } from '../../support/fuzz';

function findingsOf({ target, input, uri }: KnownDefect): Finding[] {
  switch (target) {
    case 'prompt files':
      return promptFileTarget.check({ uri: uri ?? 'a.md', text: input }) as Finding[];
    case 'truce.yaml':
      return configTarget.check(input) as Finding[];
    default: {
      const format = target.replace('import ', '') as 'otlp' | 'marble' | 'whowhen';
      return importTarget(format).check({ format, text: input }) as Finding[];
    }
  }
}

describe('fuzz: defects found by the fuzzers stay fixed', () => {
  for (const defect of FUZZ_REGRESSIONS) {
    it(`${defect.id}: ${defect.where}`, () => {
      assert.deepEqual(findingsOf(defect), []);
    });
  }
});
