/**
 * The Responses API (POST /v1/responses) as a stream: events such as `response.created`,
 * `response.output_text.delta` and finally `response.completed` (or `response.incomplete` /
 * `response.failed`), whose `response` is the whole reply with its usage. The reader keeps that
 * final reply for the record; the writer serves a recorded reply as such a stream on replay.
 */
import { SseDataReader } from './sseData';

export class ResponsesStreamReader {
  private readonly sse = new SseDataReader();
  private final?: Record<string, unknown>;
  private latest?: Record<string, unknown>;
  done = false;

  push(text: string): void {
    for (const data of this.sse.push(text)) this.event(data);
  }

  private event(data: string): void {
    if (data === '[DONE]') return;
    let event: { type?: unknown; response?: unknown };
    try {
      event = JSON.parse(data) as { type?: unknown; response?: unknown };
    } catch {
      return; // the client sees a malformed event as it came; the record keeps what parsed
    }
    const response = event.response && typeof event.response === 'object' ? (event.response as Record<string, unknown>) : undefined;
    if (response) this.latest = response;
    if (response && (event.type === 'response.completed' || event.type === 'response.incomplete' || event.type === 'response.failed')) {
      this.final = response;
      this.done = true;
    }
  }

  /** The final reply, or the last snapshot a cut-off stream carried. */
  result(): Record<string, unknown> {
    return this.final ?? this.latest ?? {};
  }
}

/** A recorded Responses reply as the events a client's stream reader rebuilds it from. */
export function responseAsEvents(response: Record<string, unknown>): string {
  const output = Array.isArray(response.output) ? (response.output as unknown[]) : [];
  let sequence = 0;
  const events: unknown[] = [{ type: 'response.created', sequence_number: sequence++, response: { ...response, status: 'in_progress', output: [] } }];
  output.forEach((item, index) => {
    events.push({ type: 'response.output_item.added', sequence_number: sequence++, output_index: index, item });
    events.push({ type: 'response.output_item.done', sequence_number: sequence++, output_index: index, item });
  });
  events.push({ type: 'response.completed', sequence_number: sequence++, response });
  return events.map((e) => `event: ${(e as { type: string }).type}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}
