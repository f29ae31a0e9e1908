import type { IncomingMessage } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Path with the query. */
  url: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body; null when empty or not JSON. */
  body: unknown;
}

/** The parts of a chat-completions body the server reads. */
export interface ChatBody {
  model?: unknown;
  messages: Array<{ role?: unknown; content?: unknown }>;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

export function recordRequest(req: IncomingMessage, rawBody: string): RecordedRequest {
  return {
    method: req.method ?? 'GET',
    path: new URL(req.url ?? '/', 'http://test-server').pathname,
    url: req.url ?? '/',
    headers: flattenHeaders(req),
    rawBody,
    body: parseJson(rawBody),
  };
}

/** The text parts of a chat body's messages, joined with spaces. */
export function promptText(body: ChatBody | null): string {
  const texts: string[] = [];
  for (const message of body?.messages ?? []) {
    if (typeof message.content === 'string') texts.push(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content as Array<{ type?: unknown; text?: unknown }>) {
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      }
    }
  }
  return texts.join(' ');
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}
