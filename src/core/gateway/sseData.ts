/**
 * The `data:` payloads of a server-sent event stream, fed as raw text that may be cut anywhere:
 * events end at a blank line, and an event's data lines join with newlines. Shared by the chat
 * completions and the Responses stream readers, which differ only in what an event means.
 */
export class SseDataReader {
  private buffer = '';

  /** The data of every event this text completes, in order (events without data are skipped). */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    let cut = this.buffer.indexOf('\n\n');
    while (cut >= 0) {
      const data = this.buffer
        .slice(0, cut)
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (data) out.push(data);
      this.buffer = this.buffer.slice(cut + 2);
      cut = this.buffer.indexOf('\n\n');
    }
    return out;
  }
}
