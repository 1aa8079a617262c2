/**
 * The host's half of the panel protocol for one webview: parses what the webview sends, drops
 * and logs what does not fit, answers requests from the run source, and holds pushes (focus,
 * refresh) until the webview has said it is ready. The webview itself is reached only through
 * `send`, so this runs (and is tested) without a real webview. No `vscode` import.
 */
import { describeDropped, parseWebviewMessage, type Focus, type HostMessage, type Request } from '../../shared/panelProtocol';
import { PanelLookupError } from '../../shared/panel/panelRun';
import { answerRunRequest } from '../../shared/panel/runView';
import type { RunSource } from './runViewCache';

export interface PanelLog {
  warn(message: string): void;
  error(message: string): void;
}

export interface PanelHostDeps {
  runs: RunSource;
  log: PanelLog;
  send(message: HostMessage): void;
  revealUnit(runId: string, unitId: string): Promise<void>;
  openInEditor(focus: Focus | null): void;
  /** Records the user's verdict on a task of an attached run (see extension/attach); absent: verdicts are refused. */
  rate?(runId: string, taskId: string, verdict: 'up' | 'down' | null): Promise<{ score: number; success: boolean } | undefined>;
  /** True for the editor-area panel, false for the side bar view. */
  fullView: boolean;
}

export class PanelHost {
  private ready = false;
  private pendingFocus: Focus | null;
  private readyWaiters: Array<() => void> = [];

  constructor(
    private readonly deps: PanelHostDeps,
    initialFocus: Focus | null = null,
  ) {
    this.pendingFocus = initialFocus;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves true once the webview has sent `ready` (at once if it has), false after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Moves the panel to a run/task/step now, or as soon as the webview is ready. */
  focus(focus: Focus): void {
    if (this.ready) this.deps.send({ type: 'focus', focus });
    else this.pendingFocus = focus;
  }

  runsChanged(runIds: string[]): void {
    if (this.ready) this.deps.send({ type: 'runsChanged', runIds });
  }

  /** A reloaded webview starts over: it sends `ready` again and gets `init` again. */
  reset(): void {
    this.ready = false;
  }

  async handle(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`Trajectory panel: dropped a message outside the protocol (${parsed.problem}): ${describeDropped(raw)}`);
      return;
    }
    const message = parsed.value;
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        this.deps.send({ type: 'init', focus: this.pendingFocus, fullView: this.deps.fullView });
        this.pendingFocus = null;
        for (const resolve of this.readyWaiters.splice(0)) resolve();
        return;
      }
      case 'request': {
        try {
          const result = await this.answer(message.request);
          this.deps.send({ type: 'response', id: message.id, ok: true, result });
        } catch (error) {
          // Lookups of things that are not there are normal (a run deleted under the panel);
          // anything else is a bug or an unreadable file and goes to the log as well.
          const text = error instanceof Error ? error.message : String(error);
          if (!(error instanceof PanelLookupError)) this.deps.log.error(`Trajectory panel: ${message.request.kind} request failed: ${text}`);
          this.deps.send({ type: 'response', id: message.id, ok: false, error: text });
        }
        return;
      }
      case 'revealUnit':
        await this.deps.revealUnit(message.runId, message.unitId);
        return;
      case 'openInEditor':
        this.deps.openInEditor(message.focus);
        return;
    }
  }

  private async answer(request: Request): Promise<unknown> {
    if (request.kind === 'runs') return { runs: await this.deps.runs.list() };
    if (request.kind === 'rate') {
      if (!this.deps.rate) throw new PanelLookupError('This panel cannot record verdicts.');
      const outcome = await this.deps.rate(request.runId, request.taskId, request.verdict);
      return { runId: request.runId, taskId: request.taskId, verdict: request.verdict, outcome: outcome ? { score: outcome.score, success: outcome.success } : null };
    }
    return answerRunRequest(await this.deps.runs.view(request.runId), request);
  }
}
