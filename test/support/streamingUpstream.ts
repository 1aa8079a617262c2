/**
 * A streaming OpenAI-compatible upstream for gateway tests (the fake server answers whole replies
 * only): two content pieces, a tool call in two parts, the usage chunk, [DONE]. `cut` drops the
 * connection after the content; `pauseMs` waits that long after the first chunk, so a client can
 * leave mid-stream. Counts the requests it received.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StreamingUpstream {
  url: string;
  seen: Array<Record<string, unknown>>;
  /** Streams the server stopped writing because the client (the gateway) went away. */
  abandoned: number;
  close(): Promise<void>;
}

export const STREAM_USAGE = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };

export function streamingUpstream(mode: { cut?: boolean; pauseMs?: number } = {}): Promise<StreamingUpstream> {
  const state = { seen: [] as Array<Record<string, unknown>>, abandoned: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      state.seen.push(JSON.parse(raw) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      const base = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
      send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }] });
      const rest = () => {
        if (res.destroyed) return void state.abandoned++;
        send({ ...base, choices: [{ index: 0, delta: { content: 'lo' }, finish_reason: null }] });
        if (mode.cut) return void setTimeout(() => res.destroy(), 50);
        send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'look', arguments: '{"q":' } }] }, finish_reason: null }] });
        send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }, finish_reason: 'tool_calls' }] });
        send({ ...base, choices: [], usage: STREAM_USAGE });
        res.write('data: [DONE]\n\n');
        res.end();
      };
      if (mode.pauseMs) setTimeout(rest, mode.pauseMs);
      else rest();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        seen: state.seen,
        get abandoned() {
          return state.abandoned;
        },
        close: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}
