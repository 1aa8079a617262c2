import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { relativeFileUri } from '../../../src/core/sarif/sarifLog';

describe('SARIF file URIs', () => {
  it('resolve against the workspace base to the same file, whatever characters its path holds', () => {
    const segment = fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '#', '?', '%', ':', '@', '&', '=', '+', 'é', '𝄞', '[', ']', ';', ','), minLength: 1, maxLength: 8 }).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const file = segments.join('/');
        const resolved = new URL(relativeFileUri(file), 'file:///workspace/');
        assert.equal(resolved.hash, '', 'no part of the path is read as a fragment');
        assert.equal(resolved.search, '', 'no part of the path is read as a query');
        assert.equal(decodeURIComponent(resolved.pathname), `/workspace/${file}`);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a folder named 'C#' in the path", () => {
    assert.equal(relativeFileUri('prompts/C#/agent 1.md'), 'prompts/C%23/agent%201.md');
    assert.equal(relativeFileUri('prompts\\win\\a.md'), 'prompts/win/a.md');
  });
});
