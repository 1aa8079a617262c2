import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, expectedUnits, openFixture } from './support/fixtures';

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

async function hoversAt(uri: vscode.Uri, position: vscode.Position): Promise<vscode.Hover[]> {
  return vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
}

suite('Hover over policy units', () => {
  suiteSetup(activateExtension);

  test('shows id, agent, section, kind, variables and lock state of the unit under the pointer', async () => {
    const document = await openFixture('prompts/planner.prompt.md');
    const units = expectedUnits(document);
    const withVariable = units.find((unit) => unit.vars.length > 0);
    const locked = units.find((unit) => unit.locked);
    assert.ok(withVariable && locked, 'planner.prompt.md should have a unit with a variable and a locked unit');

    const position = new vscode.Position(withVariable.range.start.line, withVariable.range.start.character + 3);
    const text = hoverText(await hoversAt(document.uri, position));
    assert.ok(text.includes('TRUCE policy unit'), `no TRUCE hover in:\n${text}`);
    assert.ok(text.includes(withVariable.id), 'the hover should show the unit id');
    assert.ok(text.includes(withVariable.agentId), 'the hover should name the agent');
    for (const section of withVariable.sectionPath) assert.ok(text.includes(section), `section ${section} missing`);
    assert.ok(text.includes('bullet'), 'the hover should show the unit kind');
    for (const variable of withVariable.vars) assert.ok(text.includes(variable), `variable ${variable} missing`);
    assert.match(text, /Locked \| no/);

    const lockedText = hoverText(await hoversAt(document.uri, new vscode.Position(locked.range.start.line, locked.range.start.character)));
    assert.match(lockedText, /Locked \| \$\(lock\) yes/);
  });

  test('shows nothing over structure that is not a unit', async () => {
    const document = await openFixture('prompts/planner.prompt.md');
    const headingLine = document.getText().split(/\r?\n/).findIndex((line) => line.startsWith('## Rules'));
    assert.ok(headingLine >= 0);
    const text = hoverText(await hoversAt(document.uri, new vscode.Position(headingLine, 4)));
    assert.ok(!text.includes('TRUCE policy unit'), `unexpected TRUCE hover on a heading:\n${text}`);
  });

  test('works in YAML and Prompty files', async () => {
    for (const fixture of ['agents.yaml', 'prompts/writer.prompty']) {
      const document = await openFixture(fixture);
      const [unit] = expectedUnits(document);
      const text = hoverText(await hoversAt(document.uri, new vscode.Position(unit.range.start.line, unit.range.start.character + 1)));
      assert.ok(text.includes(unit.id), `no hover with ${unit.id} in ${fixture}:\n${text}`);
    }
  });
});
