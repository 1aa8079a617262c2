/**
 * The webview's half of the panel protocol: requests with ids and typed, validated results;
 * pushes from the host (init, focus, refresh) delivered to one handler. Anything that does not
 * parse — a message from elsewhere, a stale host, a result of the wrong shape — is dropped and
 * logged to the webview console, never acted on.
 */
import {
  describeDropped,
  parseHostMessage,
  parseResult,
  parseWebviewMessage,
  type HostMessage,
  type RequestKind,
  type RequestOf,
  type ResultOf,
  type WebviewMessage,
} from '../src/shared/panelProtocol';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export type Push = Exclude<HostMessage, { type: 'response' }>;

interface Pending {
  kind: RequestKind;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class HostChannel {
  readonly api: VsCodeApi = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly onPush: (message: Push) => void) {
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
  }

  send(message: WebviewMessage): void {
    // Checked on the way out as well: a bug here should show up in the console, not as a host warning.
    const parsed = parseWebviewMessage(message);
    if (!parsed.ok) {
      console.error(`[truce-panel] refusing to send a message outside the protocol (${parsed.problem})`);
      return;
    }
    this.api.postMessage(parsed.value);
  }

  request<K extends RequestKind>(request: RequestOf<K>): Promise<ResultOf<K>> {
    const id = this.nextId++;
    return new Promise<ResultOf<K>>((resolve, reject) => {
      this.pending.set(id, { kind: request.kind, resolve: resolve as (value: unknown) => void, reject });
      this.send({ type: 'request', id, request } as WebviewMessage);
    });
  }

  private receive(data: unknown): void {
    const parsed = parseHostMessage(data);
    if (!parsed.ok) {
      console.warn(`[truce-panel] dropped a message outside the protocol (${parsed.problem}): ${describeDropped(data)}`);
      return;
    }
    const message = parsed.value;
    if (message.type !== 'response') {
      this.onPush(message);
      return;
    }
    const waiting = this.pending.get(message.id);
    if (!waiting) {
      console.warn(`[truce-panel] dropped a response to no request (id ${message.id})`);
      return;
    }
    this.pending.delete(message.id);
    if (!message.ok) {
      waiting.reject(new Error(message.error));
      return;
    }
    const result = parseResult(waiting.kind, message.result);
    if (result.ok) waiting.resolve(result.value);
    else {
      console.warn(`[truce-panel] dropped a ${waiting.kind} result of the wrong shape (${result.problem})`);
      waiting.reject(new Error(`The extension answered with data this panel cannot read (${result.problem}). Reload the window.`));
    }
  }
}
