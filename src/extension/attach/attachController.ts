import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  attachExportVariables,
  attachScoring,
  AttachSession,
  AttachSetupError,
  DEFAULT_ATTACH_PORT,
  rateStoredTrajectory,
  renderExports,
  type AttachStatus,
  type Verdict,
} from '../../core/attach';
import { parseConfig, type TruceConfig } from '../../core/config';
import type { Outcome } from '../../core/trajectory/schema';
import { workspaceEscape } from '../../core/workspacePath';
import { PanelLookupError } from '../../shared/panel/panelRun';
import type { ApiKeyStore } from '../apiKeys';
import { configPath } from '../configDiagnostics';
import { OPEN_TRAJECTORY_PANEL_COMMAND } from '../panel/panelIds';
import { ATTACH_COMMAND, ATTACH_MENU_COMMAND, COPY_ATTACH_EXPORTS_COMMAND, STOP_ATTACH_COMMAND } from './attachCommandIds';
import { AttachStatusBar } from './attachStatusBar';

/** What `truce.attach` resolves to, so tests and other commands can post to it. */
export interface AttachInfo {
  runId: string;
  dir: string;
  endpoint: string;
  port: number;
  /** The OTEL_EXPORTER_OTLP_HEADERS value (it carries the bearer token). */
  headers: string;
  token: string;
}

/** Arguments of `truce.attach`; each one given skips its question. */
export interface AttachArgs {
  port?: number;
  /** Score by verdicts only, not by the configured evaluator. */
  noEvaluator?: boolean;
  /** Do not show the notification with the exports (tests). */
  quiet?: boolean;
}

const TOKEN_SECRET = 'truce.attach.token';
const SHELL = process.platform === 'win32' ? 'powershell' : 'posix';

/**
 * `TRUCE: Attach to a Running MAS` and its companions: one live AttachSession per window, its
 * status bar item, the verdicts the trajectory panel sends for attached runs, and a stop when the
 * extension deactivates. Attaching runs no workspace code, so it works in untrusted folders too,
 * where the run is written like Run MAS writes one; a command evaluator is then left out
 * (core/attach/attachScoring.ts says so in the log).
 */
export class AttachController implements vscode.Disposable {
  private session: AttachSession | undefined;
  private starting = false;
  private readonly statusBar = new AttachStatusBar();
  private readonly disposables: vscode.Disposable[];
  /** Told after each write of the live run ([] when its task list grew), so the panel follows at once. */
  onRunChanged: ((runIds: string[]) => void) | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
    private readonly keys: ApiKeyStore,
  ) {
    this.disposables = [
      this.statusBar,
      vscode.commands.registerCommand(ATTACH_COMMAND, (args?: AttachArgs) => this.attach(args)),
      vscode.commands.registerCommand(STOP_ATTACH_COMMAND, () => this.stop()),
      vscode.commands.registerCommand(ATTACH_MENU_COMMAND, () => this.menu()),
      vscode.commands.registerCommand(COPY_ATTACH_EXPORTS_COMMAND, () => this.copyExports()),
    ];
  }

  async attach(args: AttachArgs = {}): Promise<AttachInfo | undefined> {
    if (this.session) {
      const info = this.info(this.session);
      void vscode.window.showInformationMessage(`TRUCE: already listening on ${info.endpoint} (run ${info.runId}).`, 'Copy Exports', 'Stop').then((a) => {
        if (a === 'Copy Exports') void this.copyExports();
        if (a === 'Stop') void this.stop();
      });
      return info;
    }
    if (this.starting) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder || folder.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('TRUCE: open a local folder first; the attached run is written to its .truce/runs folder.');
      return undefined;
    }
    const port = args.port ?? (await this.askPort());
    if (port === undefined) return undefined;
    this.starting = true;
    try {
      const loaded = await this.readConfig(folder);
      if (loaded === 'invalid') return undefined;
      const root = folder.uri.fsPath;
      const secrets = await this.keys.all();
      const scoring = await attachScoring(loaded, { workspaceRoot: root, trusted: vscode.workspace.isTrusted, env: process.env, secrets, noEvaluator: args.noEvaluator ?? false });
      for (const note of scoring.notes) this.log.info(`attach: ${note}`);
      let session: AttachSession;
      let shown = 0;
      try {
        session = await AttachSession.start({
          workspaceRoot: root,
          port,
          token: await this.token(),
          ...(loaded ? { config: loaded, configFile: configPath(folder) } : {}),
          tasks: scoring.tasks,
          ...(scoring.tasksFile !== undefined ? { tasksFile: scoring.tasksFile } : {}),
          ...(scoring.tasksText !== undefined ? { tasksText: scoring.tasksText } : {}),
          ...(scoring.evaluator ? { evaluator: scoring.evaluator } : {}),
          toolVersion: vscode.extensions.getExtension('truce-dev.truce-vscode')?.packageJSON.version,
          onUpdate: (status) => {
            if (this.session === session) this.statusBar.show(status);
            this.onRunChanged?.(status.trajectories === shown ? [status.runId] : []);
            shown = status.trajectories;
          },
          onProblem: (message) => this.log.warn(`attach: ${message}`),
        });
      } catch (error) {
        const message = error instanceof AttachSetupError ? error.message : (error as Error).message;
        this.log.error(`attach: ${message}`);
        void vscode.window.showErrorMessage(`TRUCE: ${message}`, 'Attach on Another Port').then((a) => a && void vscode.commands.executeCommand(ATTACH_COMMAND));
        return undefined;
      }
      this.session = session;
      this.statusBar.show(session.status);
      const scoredBy = scoring.evaluator ? `the ${scoring.evaluator.type} evaluator${scoring.tasks.length ? ` with the references of ${scoring.tasks.length} tasks` : ''} and your verdicts` : 'your verdicts';
      this.log.info(`attach: listening on ${session.endpoint}, recording run ${session.runId}, scored by ${scoredBy}`);
      if (!args.quiet) this.announce(session, scoredBy);
      return this.info(session);
    } finally {
      this.starting = false;
    }
  }

  /** Stops listening and finishes the run. Resolves to the run's final counts (undefined when nothing was attached). */
  async stop(): Promise<AttachStatus | undefined> {
    const session = this.session;
    if (!session) return undefined;
    this.session = undefined;
    this.statusBar.hide();
    const status = await session.stop();
    // Its state in the run list changed from running to completed.
    this.onRunChanged?.([]);
    this.log.info(`attach: stopped; run ${status.runId}: ${status.traces} traces, ${status.trajectories} trajectories, ${status.scored} scored`);
    return status;
  }

  /** The panel's thumbs up or down: through the live session for its run, on disk for a finished one. */
  async rate(runId: string, taskId: string, verdict: Verdict | null): Promise<Outcome | undefined> {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder) throw new PanelLookupError('Open the folder of the run to rate it.');
    try {
      if (this.session?.runId === runId) return await this.session.rate(taskId, verdict);
      const outcome = await rateStoredTrajectory(folder.uri.fsPath, runId, taskId, verdict);
      this.onRunChanged?.([runId]);
      return outcome;
    } catch (error) {
      // Refusals (not an attached run, held by a `truce attach`, no such task) are for the user to read.
      this.log.warn(`attach: verdict on ${runId}/${taskId} not recorded: ${(error as Error).message}`);
      throw new PanelLookupError((error as Error).message);
    }
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }

  private info(session: AttachSession): AttachInfo {
    return { runId: session.runId, dir: session.dir, endpoint: session.endpoint, port: session.status.port, headers: session.headers, token: session.token };
  }

  private async askPort(): Promise<number | undefined> {
    const answer = await vscode.window.showInputBox({
      title: 'TRUCE: Attach to a Running MAS',
      prompt: 'The port to receive OTLP/HTTP traces on (127.0.0.1 only). 4318 is where OpenTelemetry exporters send by default.',
      value: String(DEFAULT_ATTACH_PORT),
      validateInput: (text) => (/^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 65535 ? undefined : 'A port number from 1 to 65535'),
    });
    return answer === undefined ? undefined : Number(answer.trim());
  }

  /** truce.yaml when there is one (undefined: none, verdicts only); 'invalid' after telling the user. */
  private async readConfig(folder: vscode.WorkspaceFolder): Promise<TruceConfig | undefined | 'invalid'> {
    const uri = vscode.Uri.joinPath(folder.uri, ...configPath(folder).split('/'));
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      return undefined;
    }
    const parsed = parseConfig(text, { workspaceRoot: folder.uri.fsPath, escapes: workspaceEscape });
    if (parsed.ok) return parsed.config;
    await vscode.window.showTextDocument(uri);
    void vscode.window.showErrorMessage(`TRUCE: ${configPath(folder)} has errors; fix them before attaching (see the Problems panel), or move it away to attach without scoring by its evaluator.`);
    return 'invalid';
  }

  /**
   * One token per machine, kept in the OS keychain: exports pasted into a shell keep working when
   * the user stops and attaches again. TRUCE_ATTACH_TOKEN (as for `truce attach`) names one
   * outright, for a setup that exports a fixed token.
   */
  private async token(): Promise<string> {
    const given = process.env.TRUCE_ATTACH_TOKEN;
    if (given && /^[\x21-\x7e]{16,}$/.test(given)) return given;
    const kept = await this.secrets.get(TOKEN_SECRET);
    if (kept && /^[0-9a-f]{64}$/.test(kept)) return kept;
    const fresh = randomBytes(32).toString('hex');
    await this.secrets.store(TOKEN_SECRET, fresh);
    return fresh;
  }

  private exportsText(session: AttachSession): string {
    return renderExports(attachExportVariables(session.endpoint, session.headers), SHELL);
  }

  private announce(session: AttachSession, scoredBy: string): void {
    void vscode.window
      .showInformationMessage(
        `TRUCE: listening on ${session.endpoint} for OTLP traces (protobuf or JSON), recording run ${session.runId}, scored by ${scoredBy}. ` +
          'Export the OTEL_EXPORTER_OTLP_* variables in the shell that runs your MAS.',
        'Copy Exports',
        'Show Variables',
        'Open Panel',
      )
      .then((action) => {
        if (action === 'Copy Exports') void this.copyExports();
        if (action === 'Show Variables') void this.showVariables(session);
        if (action === 'Open Panel') void vscode.commands.executeCommand(OPEN_TRAJECTORY_PANEL_COMMAND, { runId: session.runId });
      });
  }

  private async copyExports(): Promise<string | undefined> {
    if (!this.session) {
      void vscode.window.showWarningMessage('TRUCE: not attached; run "TRUCE: Attach to a Running MAS" first.');
      return undefined;
    }
    const text = this.exportsText(this.session);
    await vscode.env.clipboard.writeText(text);
    void vscode.window.setStatusBarMessage('TRUCE: exports copied; paste them into the shell that runs your MAS', 4000);
    return text;
  }

  private async showVariables(session: AttachSession): Promise<void> {
    // '#' starts a comment in POSIX shells and PowerShell alike.
    const content = [
      `# Paste into the shell that runs your MAS; its OpenTelemetry exporter then sends every trace to TRUCE.`,
      `# Run ${session.runId} records them until you stop attaching (status bar, or "TRUCE: Stop Attaching").`,
      this.exportsText(session),
      '',
    ].join('\n');
    const doc = await vscode.workspace.openTextDocument({ content, language: SHELL === 'powershell' ? 'powershell' : 'shellscript' });
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  private async menu(): Promise<void> {
    const session = this.session;
    if (!session) return void vscode.commands.executeCommand(ATTACH_COMMAND);
    const items = [
      { label: '$(debug-stop) Stop attaching', action: () => this.stop() },
      { label: '$(copy) Copy the exports', detail: 'OTEL_EXPORTER_OTLP_ENDPOINT, …_PROTOCOL, …_HEADERS for the shell that runs your MAS', action: () => this.copyExports() },
      { label: '$(terminal) Show the variables', action: () => this.showVariables(session) },
      { label: '$(graph) Open the run in the trajectory panel', action: () => vscode.commands.executeCommand(OPEN_TRAJECTORY_PANEL_COMMAND, { runId: session.runId }) },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `TRUCE: attached on ${session.endpoint} — run ${session.runId}` });
    await picked?.action();
  }
}
