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

export type UnitKind = 'bullet' | 'numbered' | 'paragraph' | 'yaml-item' | 'xml' | 'table-row';

export interface PolicyUnit {
  /** Stable id: agent + section + normalised text (see unitId.ts). */
  id: string;
  agentId: string;
  kind: UnitKind;
  /** The rule text without its list marker, as it reads (YAML escapes resolved). */
  text: string;
  /** Covers the rule text only, not the list marker. */
  range: Range;
  sectionPath: string[];
  /** Template variables the unit contains, in order of first appearance, without delimiters. */
  vars: string[];
  locked: boolean;
  /** How the unit is written, so edits can write new units the same way. */
  style: UnitStyle;
  /**
   * UTF-16 offsets of the whole construct the unit lives in (a list item from its indentation
   * through its last line, a YAML sequence entry with its dash, a table row), end exclusive and
   * before the line break. DELETE removes this span; it is not part of the CLI contract.
   */
  block: { start: number; end: number };
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
  units: PolicyUnit[];
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

/** A unit as a reader finds it, before its id is given (ids depend on the whole agent's units). */
export type RawUnit = Omit<PolicyUnit, 'id'>;
