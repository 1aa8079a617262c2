import type * as vscode from 'vscode';

export const ENDPOINT_ROLES = ['executor', 'optimizer', 'judge'] as const;
export type EndpointRole = (typeof ENDPOINT_ROLES)[number];

/** API keys live in VS Code's SecretStorage (the OS keychain), never in settings or files. */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  private key(role: EndpointRole): string {
    return `truce.apiKey.${role}`;
  }

  get(role: EndpointRole): Thenable<string | undefined> {
    return this.secrets.get(this.key(role));
  }

  set(role: EndpointRole, value: string): Thenable<void> {
    return this.secrets.store(this.key(role), value);
  }

  delete(role: EndpointRole): Thenable<void> {
    return this.secrets.delete(this.key(role));
  }

  /** The keys stored for every role, as the core's `secrets` option takes them (roles without a key left out). */
  async all(): Promise<Partial<Record<EndpointRole, string>>> {
    const secrets: Partial<Record<EndpointRole, string>> = {};
    for (const role of ENDPOINT_ROLES) {
      const key = await this.get(role);
      if (key) secrets[role] = key;
    }
    return secrets;
  }
}
