// Smoke test of the in-host harness itself: if this fails, the other in-host tests cannot mean
// anything, because they would not be running against the extension in a real VS Code 1.100.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'truce-dev.truce-vscode';

describe('in-host harness', () => {
  it('runs inside VS Code 1.100 (the version code-server 4.100.3 embeds)', () => {
    assert.match(vscode.version, /^1\.100\./);
  });

  it(`loads the extension under development (${EXTENSION_ID}) and activates it`, async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not among the loaded extensions`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
