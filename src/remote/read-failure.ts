import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { errorMessage } from '../core/error-facts.ts';
import { MalformedStreamError, UnansweredStreamError } from './answer-stream.ts';
import type { Failure } from './remote-errors.ts';

/** Reads what a send or a listing threw, by the SDK's error classes and our stream reader's. */
export function readFailure(error: unknown): Failure {
  if (error instanceof APIConnectionTimeoutError) return { type: 'sdk-timeout' };
  if (error instanceof APIConnectionError) return { type: 'connection', cause: causeChain(error.cause) };
  if (error instanceof APIError) {
    if (typeof error.status === 'number') {
      return { type: 'http', status: error.status, headers: error.headers ?? null, detail: serverWords(error), code: typeof error.code === 'string' ? error.code : null };
    }
    // The SDK throws an error event inside a 200 stream as an APIError with its body but no status.
    if (error.error !== undefined && error.error !== null) return { type: 'error-event', detail: serverWords(error) };
  }
  if (error instanceof MalformedStreamError) return { type: 'malformed', detail: error.message };
  if (error instanceof UnansweredStreamError) return { type: 'connection', cause: error.message };
  // Not the SDK's own: it passes through JSON.parse's SyntaxError for an unreadable body, and the
  // platform's error when the body breaks mid-stream, which fetch reports as a TypeError (Fetch standard).
  if (error instanceof SyntaxError) return { type: 'malformed', detail: error.message };
  if (error instanceof TypeError) return { type: 'connection', cause: causeChain(error) };
  return { type: 'other', message: errorMessage(error) };
}

/** The server's own words: the JSON error's message, else the SDK's message without its status prefix. */
function serverWords(error: APIError): string {
  const body: unknown = error.error;
  const bodyMessage = body && typeof body === 'object' ? (body as { message?: unknown }).message : body;
  return typeof bodyMessage === 'string' ? bodyMessage : error.message.replace(/^\d{3}\s*(status code)?\s*/i, '');
}

/** The messages and codes down a cause chain, as Node gives them: "fetch failed: connect ECONNREFUSED 127.0.0.1:9". */
function causeChain(error: unknown): string {
  const parts: string[] = [];
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current.message) parts.push(current.message);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && !current.message.includes(code)) parts.push(code);
    current = current.cause;
  }
  return parts.join(': ');
}
