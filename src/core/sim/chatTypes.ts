/**
 * The shape of one chat request and reply as the simulation world sees them. The test server
 * (test/support/fakeOpenAiServer.ts) passes richer requests and takes the same replies, so a
 * responder written against these types plugs into it unchanged; the demo mode's in-process
 * fetch (src/core/demo) uses them without any server.
 */
export interface SimChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  /** Present when the request asked for `response_format: json_schema`. */
  jsonSchema?: { name: string; schema?: unknown; strict?: boolean };
}

export interface SimUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type SimReply =
  | string
  | {
      /** Text content; ignored when `json` is given. */
      content?: string;
      /** Serialised with JSON.stringify into the content. */
      json?: unknown;
      finishReason?: string;
      refusal?: string;
      /** Overrides the computed usage; null sends no usage at all. */
      usage?: Partial<SimUsage> | null;
    }
  | { error: { status: number; message: string; code?: string; type?: string; headers?: Record<string, string> } };

export type SimResponderFn = (request: SimChatRequest) => SimReply | Promise<SimReply>;
