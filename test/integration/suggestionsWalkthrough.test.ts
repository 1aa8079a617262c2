import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID } from './support/fixtures';

interface WalkthroughStep {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}

suite('Get Started walkthrough', () => {
  suiteSetup(activateExtension);

  test('every step links to commands that exist and shows a media page that exists', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const walkthrough = (extension.packageJSON.contributes.walkthroughs as Array<{ id: string; steps: WalkthroughStep[] }>).find((w) => w.id === 'truce.gettingStarted');
    assert.ok(walkthrough, 'the walkthrough is contributed');
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['demo', 'endpoint', 'example', 'run', 'review']);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const step of walkthrough.steps) {
      const linked = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!);
      assert.ok(linked.length > 0, `step ${step.id} links to no command`);
      for (const command of linked) assert.ok(registered.has(command), `step ${step.id} links to ${command}, which is not registered`);
      for (const event of step.completionEvents ?? []) assert.ok(registered.has(event.replace(/^onCommand:/, '')), `step ${step.id} completes on an unknown command: ${event}`);
      const media = vscode.Uri.joinPath(extension.extensionUri, step.media.markdown!);
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(media));
      assert.match(text, /^# /, `${step.media.markdown} should be a Markdown page with a title`);
    }
  });
});
