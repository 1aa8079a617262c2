import type { AgentCollector } from '../agentCollector';
import type { LineView } from '../lineView';
import type { SetAsideKind } from '../types';

export interface MarkdownOptions {
  view: LineView;
  agents: AgentCollector;
  plainText?: boolean;
  /** Section names that come from outside the view (a YAML key path). */
  basePath?: string[];
  /** Whether `# Agent: x` headings may start new agents (not inside YAML scalars). */
  agentHeadings?: boolean;
  /** Everything read here is set aside as this kind (a CrewAI `role` field). */
  setAside?: SetAsideKind;
  /** The text specifies what to produce (a task's `expected_output`): its noun phrases are rules. */
  specifies?: boolean;
  /** Told of every heading as it is reached, for incremental re-parsing (incremental/). */
  observer?: MarkdownObserver;
}

/** What incremental re-parsing needs to know of a walk: where the headings are. */
export interface MarkdownObserver {
  /**
   * A heading on view line `viewLine` is about to be read (everything above it has been emitted):
   * `level` 1–6, `nested` when it sits inside a list or a quote, `xmlDepth` the XML elements open
   * around it.
   */
  heading(viewLine: number, level: number, nested: boolean, xmlDepth: number): void;
}
