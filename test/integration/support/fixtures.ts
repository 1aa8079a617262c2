/**
 * Shared helpers of the in-host tests. The workspace folder is a fresh copy of
 * test/fixtures/workspace made by the runner, so tests may edit files and settings freely.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { allUnits, detectFormat, parsePromptDocument } from '../../../src/core/units';
import type { PolicyUnit } from '../../../src/core/units/types';

export const EXTENSION_ID = 'truce-dev.truce-vscode';
export const SHOW_UNIT_DETAILS = 'truce.showUnitDetails';
export const SHOW_UNITS = 'truce.showUnits';

/** The prompt files of the fixture workspace, each with at least one unit. */
export const PROMPT_FIXTURES = [
  'prompts/planner.prompt.md',
  'prompts/writer.prompty',
  'prompts/crlf.instructions.md',
  'prompts/unicode.agent.md',
  'agents.yaml',
] as const;

export async function activateExtension(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed in the test host`);
  await extension.activate();
}

export function fixtureUri(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test host was opened without a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

export async function openFixture(relativePath: string): Promise<vscode.TextDocument> {
  return vscode.workspace.openTextDocument(fixtureUri(relativePath));
}

export async function showFixture(relativePath: string): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await openFixture(relativePath));
}

/** What the core parser says the document's units are: the lenses must match these exactly. */
export function expectedUnits(document: vscode.TextDocument): PolicyUnit[] {
  const text = document.getText();
  const parsed = parsePromptDocument(text, { uri: document.uri.toString(), format: detectFormat(document.uri.path, text) });
  return sortByStart(allUnits(parsed), (unit) => [unit.range.start.line, unit.range.start.character]);
}

/** TRUCE's lenses on the document, all resolved, in document order. */
export async function truceLenses(uri: vscode.Uri): Promise<vscode.CodeLens[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 1000);
  const ours = lenses.filter((lens) => lens.command?.command === SHOW_UNIT_DETAILS);
  return sortByStart(ours, (lens) => [lens.range.start.line, lens.range.start.character]);
}

export function toRange(unit: PolicyUnit): vscode.Range {
  const { start, end } = unit.range;
  return new vscode.Range(start.line, start.character, end.line, end.character);
}

/**
 * Polls until `probe` returns a value other than undefined. Settings and provider registrations
 * reach the extension host asynchronously; this waits for the state, it does not measure time.
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Gave up waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the document has exactly `count` TRUCE lenses and returns them. */
export async function waitForLensCount(uri: vscode.Uri, count: number): Promise<vscode.CodeLens[]> {
  let seen = -1;
  try {
    return await waitFor(`${count} TRUCE lenses on ${vscode.workspace.asRelativePath(uri)}`, async () => {
      const lenses = await truceLenses(uri);
      seen = lenses.length;
      return lenses.length === count ? lenses : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the last query returned ${seen}`);
  }
}

/** Sets a TRUCE setting in the workspace copy's .vscode/settings.json (undefined removes it). */
export async function setWorkspaceSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Workspace);
}

function sortByStart<T>(items: T[], key: (item: T) => [number, number]): T[] {
  return [...items].sort((a, b) => {
    const [lineA, charA] = key(a);
    const [lineB, charB] = key(b);
    return lineA - lineB || charA - charB;
  });
}
