import * as vscode from 'vscode';
import { ENDPOINT_ROLES, type ApiKeyStore, type EndpointRole } from './apiKeys';
import { SET_API_KEY_COMMAND } from './commandIds';

const ROLE_DETAIL: Record<EndpointRole, string> = {
  executor: 'the model your agents run on',
  optimizer: 'the model that assigns credit and proposes edits',
  judge: 'the model behind LLM-judge evaluators and the coordination score',
};

/**
 * `TRUCE: Set API Key`: stores a key for an endpoint role in SecretStorage, or clears it when the
 * input is left empty. Arguments (role, key) let tests and walkthroughs call it without prompts.
 */
export function registerSetApiKeyCommand(keys: ApiKeyStore): vscode.Disposable {
  return vscode.commands.registerCommand(SET_API_KEY_COMMAND, async (roleArg?: EndpointRole, keyArg?: string) => {
    const role =
      roleArg ??
      (
        await vscode.window.showQuickPick(
          ENDPOINT_ROLES.map((r) => ({ label: r, detail: ROLE_DETAIL[r] })),
          { title: 'TRUCE: Set API Key', placeHolder: 'Which endpoint is the key for?' },
        )
      )?.label;
    if (!role || !(ENDPOINT_ROLES as readonly string[]).includes(role)) return undefined;
    const value =
      keyArg ??
      (await vscode.window.showInputBox({
        title: `TRUCE: API key for the ${role} endpoint`,
        prompt: 'Stored in VS Code secret storage, never in files. Leave empty to remove the stored key.',
        password: true,
        ignoreFocusOut: true,
      }));
    if (value === undefined) return undefined;
    if (value.trim() === '') {
      await keys.delete(role);
      void vscode.window.showInformationMessage(`TRUCE: removed the stored ${role} key.`);
      return 'deleted';
    }
    await keys.set(role, value.trim());
    void vscode.window.showInformationMessage(`TRUCE: stored the ${role} key in secret storage.`);
    return 'stored';
  });
}
