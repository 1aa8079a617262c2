/** Text shown literally inside a MarkdownString (hovers, decorations): every Markdown mark escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (char) => `\\${char}`);
}
