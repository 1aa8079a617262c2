/** Shapes of parsed prompt files (DESIGN.md §3). Plain data: safe to serialise and to cross into the webview. */

export type PromptFormat = 'markdown' | 'yaml' | 'prompty' | 'text';

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
  /** UTF-16 code-unit offset into the original text. */
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * How a unit is written: a list item, a paragraph, a YAML scalar, an XML element, a table row, one
 * sentence of a block that holds several (`sentence`), or one line of a command block under a
 * lead-in or of a plain list of rules (`line`). `role` and `context` mark text the parser sets
 * aside as not-a-rule: a role statement ("You are a careful reviewer.") or a description (the
 * project, files, examples, persona traits). Those live in `AgentPrompt.context`, never in
 * `units`, so the optimizer never edits them.
 */
export type UnitKind = 'bullet' | 'numbered' | 'paragraph' | 'yaml-item' | 'xml' | 'table-row' | 'sentence' | 'line' | SetAsideKind;

export type SetAsideKind = 'role' | 'context';

export interface PolicyUnit {
  /** Stable id: agent + section + normalised text (see unitId.ts). */
  id: string;
  agentId: string;
  kind: UnitKind;
  /** The rule text without its list marker, as it reads (YAML escapes resolved). */
  text: string;
  /** Covers the rule text only, not the list marker. */
  range: Range;
  /**
   * The lead-in the unit hangs off, as written ("Run the full test suite:" above "`make tests`",
   * the parent item of a nested list): read together with the text for Φ/Ψ and in the hover.
   */
  lead?: string;
  sectionPath: string[];
  /** Template variables the unit contains, in order of first appearance, without delimiters. */
  vars: string[];
  /** Never edited by TRUCE: a `truce:lock` comment above it, or a `<DONT_CHANGE>` span around it. */
  locked: boolean;
  /**
   * Set when the unit lies inside a `<DONT_CHANGE>` … `</DONT_CHANGE>` span (0-based lines of the
   * two tags): the lock comes from the span, and nothing may be added inside it either.
   */
  protectedSpan?: { openLine: number; closeLine: number };
  /** How the unit is written, so edits can write new units the same way. */
  style: UnitStyle;
  /**
   * UTF-16 offsets of the whole construct the unit lives in (a list item from its indentation
   * through its last line, a YAML sequence entry with its dash, a table row), end exclusive and
   * before the line break. DELETE removes this span; it is not part of the CLI contract.
   */
  block: { start: number; end: number };
  /**
   * For one sentence of a block read as several units: the id the whole block had when the parser
   * read it as one unit (before sentence units, issue 20). Runs, suggestions and credit stored
   * then name that id; it resolves to the block's sentence units (successorsOf, locateUnit 'split').
   */
  formerId?: string;
}

export interface UnitStyle {
  /** e.g. "- ", "* ", "1. ", "2) " — empty for paragraphs and scalars. */
  marker: string;
  /** Whitespace before the marker (or before the text when there is no marker). */
  indent: string;
  /** For YAML scalars: how the text is quoted in the source. */
  quote?: 'plain' | 'single' | 'double' | 'block';
  /** For multi-line units: the indentation of continuation lines. */
  continuationIndent?: string;
}

export type AgentKind = 'role' | 'aggregator' | 'judge' | 'other';

export interface AgentPrompt {
  id: string;
  kind: AgentKind;
  range: Range;
  /** The rules: what credit is given to and what the optimizer may edit. */
  units: PolicyUnit[];
  /**
   * What the parser set aside as not-a-rule (kind `role` or `context`), in file order: visible in
   * hovers and section views, never edited. Absent on documents made before it existed.
   */
  context?: PolicyUnit[];
  /**
   * Agents this one hands the conversation to, as its file declares them (VS Code custom agents,
   * `*.agent.md`, front matter `handoffs`): the declared edges of the MAS.
   */
  handoffs?: Handoff[];
}

export interface Handoff {
  /** The agent handed to (its name, as the target's front matter or file name gives it). */
  agent: string;
  /** The button label VS Code shows for the handoff. */
  label?: string;
  /** The prompt sent along with it. */
  prompt?: string;
}

export interface ParseError {
  message: string;
  line: number;
  character: number;
}

export interface PromptDocument {
  uri: string;
  format: PromptFormat;
  agents: AgentPrompt[];
  errors: ParseError[];
}

/**
 * A unit as a reader finds it, before its id is given (ids depend on the whole agent's units).
 * `splitFrom` is the whole block's text when the unit is one sentence of several; the id that text
 * had as one unit becomes `formerId`.
 */
export type RawUnit = Omit<PolicyUnit, 'id' | 'formerId'> & { splitFrom?: string };
