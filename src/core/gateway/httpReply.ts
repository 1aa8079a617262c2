/** Small pieces of HTTP the gateway's phases share: an OpenAI-shaped error reply, and a header's value. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendError(res: ServerResponse, status: number, message: string, type: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type } }));
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}
