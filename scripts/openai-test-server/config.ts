/**
 * How the server answers, set per test. Failure modes apply to POST /v1/chat/completions; those that
 * a real server would also apply to GET /v1/models (auth, rate limits, 5xx, slowness, CORS) do so.
 */
export type OpenAiTestServerMode =
  | 'ok'
  | 'unauthorized'
  | 'forbidden'
  | 'model-not-found'
  | 'payload-too-large'
  | 'rate-limited'
  | 'server-error'
  | 'unavailable'
  /** Waits `delayMs` before sending the response headers. */
  | 'slow'
  /** Sends headers at once, then one event every `delayMs`. */
  | 'slow-stream'
  /** Two good events, then one whose data is not JSON. */
  | 'malformed-json'
  /** Events without `choices`. */
  | 'missing-choices'
  /** 200 with an HTML page, as a web server behind a wrong base URL answers. */
  | 'not-sse'
  /** Two good events, then the socket is destroyed. */
  | 'drop-mid-stream'
  /** The whole answer and [DONE], but no event carries a finish_reason, as some compatible servers do. */
  | 'no-finish-reason'
  /** Answers normally but sends no CORS headers and refuses preflights (403), as Ollama does for unlisted origins. */
  | 'no-cors';

export interface ModeOptions {
  /** `Retry-After` for rate-limited and unavailable: seconds or an HTTP date; null sends none. Default "1" for 429. */
  retryAfter?: string | null;
  /** For slow (before headers; default 5000) and slow-stream (between events; default 300). */
  delayMs?: number;
  /** After this many requests (preflights not counted) the mode reverts to "ok". */
  times?: number;
  /** no-cors only: still send `Cross-Origin-Resource-Policy: cross-origin` (default true), so a no-cors probe from a COEP page sees the server. */
  corp?: boolean;
}

export interface OpenAiTestServerOptions {
  host?: string;
  port?: number;
  /** Model ids the server knows; others get a 404. */
  models?: string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; a wrong key gets a 401 that echoes it. */
  apiKey?: string | null;
  /** Bodies larger than this get a 413. */
  maxBodyBytes?: number;
  /** Pause between stream events in the normal answer. */
  chunkDelayMs?: number;
}

export const DEFAULT_TEST_MODELS = ['test-vlm', 'test-vlm-large'];
