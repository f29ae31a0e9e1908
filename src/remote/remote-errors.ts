import { describeCorsFix, findPreset, type PresetId } from './endpoint-presets.ts';
import { hostOf, isLoopbackHost, originOf } from './endpoint-url.ts';

export type ConfigField = 'baseUrl' | 'model' | 'apiKey' | 'text';

/**
 * Every way a send or a model listing can fail, by a stable `kind`. `message` is a complete
 * sentence for the user; `detail` is what the server said (redacted, shortened), when it said anything.
 * `aborted` is the user's own Stop, not a failure to show.
 */
export type RemoteError =
  | { kind: 'config'; message: string; field: ConfigField }
  | { kind: 'cors'; message: string; fix: string }
  | { kind: 'network'; message: string; offline: boolean; /** Set when CORS is one of the possible causes. */ fix: string | null }
  | { kind: 'blocked-by-policy'; message: string }
  | { kind: 'auth'; message: string; status: 401 | 403; detail: string | null }
  | { kind: 'model-not-found'; message: string; model: string; detail: string | null }
  | { kind: 'payload-too-large'; message: string; detail: string | null }
  | {
      kind: 'rate-limited';
      message: string;
      /** From `retry-after(-ms)`; null when the server gave none or the browser may not read it (CORS). */
      retryAfterMs: number | null;
      /** Epoch milliseconds when a retry is welcome; null when unknown. */
      retryAt: number | null;
      /** OpenAI's `insufficient_quota`: waiting will not help. */
      quotaExhausted: boolean;
      detail: string | null;
    }
  | { kind: 'bad-request'; message: string; status: number; detail: string | null }
  | { kind: 'server'; message: string; status: number | null; retryAfterMs: number | null; detail: string | null }
  | { kind: 'timeout'; message: string; phase: 'first-byte' | 'total'; afterMs: number }
  | { kind: 'malformed-stream'; message: string; detail: string | null }
  | { kind: 'stream-interrupted'; message: string }
  | { kind: 'aborted'; message: string }
  | { kind: 'unknown'; message: string };

export type RemoteErrorKind = RemoteError['kind'];

/** Why our side stopped a request: the user's Stop, or one of our timers. */
export type StopCause = { by: 'user' } | { by: 'timeout'; phase: 'first-byte' | 'total'; afterMs: number };

/** What a no-cors probe of the server learned after a request failed without a response. */
export type Reachability = 'reachable' | 'unreachable' | 'not-probed';

export interface FailureContext {
  operation: 'chat' | 'list-models';
  presetId: PresetId;
  baseUrl: string;
  model: string;
  /** `stream` once response headers arrived: a connection failure then means the stream broke. */
  phase: 'request' | 'stream';
  stop: StopCause | null;
  reachability: Reachability;
  /** A securitypolicyviolation event named the endpoint's origin (the page's CSP blocked it). */
  policyBlocked: boolean;
  /** null outside a browser (Node), where CORS does not exist. */
  pageOrigin: string | null;
  online: boolean;
  image: { bytes: number; width: number; height: number } | null;
  /** Strings that must never appear in a message (the API key). */
  secrets: readonly string[];
  now: number;
}

/** Thrown by our stream reader for a stream that parses but is not a chat-completion stream. */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
}

/** Browser and Node wordings of "the request never got a usable response" (Chrome, Firefox, Safari, undici). */
const CONNECTION_FAILURE =
  /failed to fetch|networkerror|load failed|fetch failed|network error|network connection was lost|terminated|connection error|other side closed|socket hang up|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/i;

const DETAIL_LIMIT = 300;

/** Maps anything a send can throw (SDK errors, fetch TypeErrors, parse errors) to a RemoteError. */
export function classifyRemoteFailure(error: unknown, context: FailureContext): RemoteError {
  return redactError(classify(error, context), context.secrets);
}

function classify(error: unknown, context: FailureContext): RemoteError {
  const host = hostOf(context.baseUrl);
  // Our own stop decides, whatever shape the resulting error has (the SDK sometimes throws none).
  if (context.stop?.by === 'user') return { kind: 'aborted', message: 'Stopped.' };
  if (context.stop?.by === 'timeout') return timeoutError(host, context.stop.phase, context.stop.afterMs);

  const status = numberField(error, 'status');
  if (status !== null) return classifyHttpStatus(error, status, host, context);

  if (isMalformedStream(error)) {
    const detail = shorten(messageOf(error));
    return {
      kind: 'malformed-stream',
      message: `${host} sent an answer this app cannot read${detail ? ` (${detail})` : ''}. Check that the base URL is the root of an OpenAI-compatible API (for example …/v1).`,
      detail,
    };
  }
  // An error event inside a 200 stream: the SDK throws it without a status.
  const body = bodyOf(error);
  if (body) {
    const detail = detailOf(error);
    return {
      kind: 'server',
      message: `${host} reported an error in the middle of the answer${detail ? `: "${detail}"` : ''}. Send again to retry.`,
      status: null,
      retryAfterMs: null,
      detail,
    };
  }
  if (isConnectionFailure(error)) return classifyConnectionFailure(error, host, context);
  if (/timed? ?out/i.test(messageOf(error))) return timeoutError(host, 'total', null);
  return { kind: 'unknown', message: `Sending to ${host} failed: ${shorten(messageOf(error)) || 'unknown error'}` };
}

function classifyHttpStatus(error: unknown, status: number, host: string, context: FailureContext): RemoteError {
  const detail = detailOf(error);
  const said = detail ? ` Server said: "${detail}"` : '';
  const model = context.model.trim();
  if (status === 401) {
    const message = context.secrets.some((secret) => secret.length > 0)
      ? `${host} rejected the API key (401). Check that it is a key for this service, copied in full, and not revoked.`
      : `${host} needs an API key (401). Enter one in the API key field.`;
    return { kind: 'auth', status, message: message + said, detail };
  }
  if (status === 403) {
    const what = model && context.operation === 'chat' ? `model "${model}"` : 'this API';
    return {
      kind: 'auth',
      status,
      message: `${host} refused access (403): the key is not allowed to use ${what}. Check the key's permissions, the account's billing or region.${said}`,
      detail,
    };
  }
  if (status === 404) {
    if (context.operation === 'list-models') {
      return {
        kind: 'model-not-found',
        model,
        message: `${host} has no model list at ${context.baseUrl}/models (404). Check that the base URL is the root of the API (for example …/v1); you can still type a model name.${said}`,
        detail,
      };
    }
    const listHint = findPreset(context.presetId).listsModels ? ' ("List models" shows what this server offers)' : '';
    return {
      kind: 'model-not-found',
      model,
      message: `Model "${model}" was not found at ${host} (404). Check the model name${listHint}; if it is right, check that the base URL is the root of the API (for example …/v1).${said}`,
      detail,
    };
  }
  if (status === 413) {
    const image = context.image;
    const message = image
      ? `The request was too large for ${host} (413): the image is ${formatBytes(image.bytes)} at ${image.width}×${image.height}. Lower "Max image side" (for example to 768 or 512) or send the text only.`
      : `The request was too large for ${host} (413). Shorten the text.`;
    return { kind: 'payload-too-large', message, detail };
  }
  if (status === 429) {
    const quotaExhausted = codeOf(error) === 'insufficient_quota';
    if (quotaExhausted) {
      return {
        kind: 'rate-limited',
        message: `${host} says this account has used up its quota (429). Check the plan and billing; waiting will not help.${said}`,
        retryAfterMs: null,
        retryAt: null,
        quotaExhausted,
        detail,
      };
    }
    const retryAfterMs = parseRetryAfter(headersOf(error), context.now);
    const when = retryAfterMs === null ? 'Wait a little, then send again.' : `Send again in ${formatWait(retryAfterMs)}.`;
    return {
      kind: 'rate-limited',
      message: `${host} is limiting requests (429). ${when}`,
      retryAfterMs,
      retryAt: retryAfterMs === null ? null : context.now + retryAfterMs,
      quotaExhausted,
      detail,
    };
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(headersOf(error), context.now);
    const what =
      status === 503
        ? `${host} is overloaded or still loading the model (503).`
        : status === 502 || status === 504
          ? `${host}, or a gateway in front of it, failed (${status}).`
          : `${host} had an internal error (${status}).`;
    const when = retryAfterMs === null ? ' Try again in a moment.' : ` Try again in ${formatWait(retryAfterMs)}.`;
    return { kind: 'server', status, retryAfterMs, message: what + when + said, detail };
  }
  if (/image|vision|multimodal|multi-modal/i.test(detail ?? '') && context.image) {
    return {
      kind: 'bad-request',
      status,
      message: `${host} did not accept the request (${status}): model "${model}" may not take images. Choose a vision model or send the text only.${said}`,
      detail,
    };
  }
  return { kind: 'bad-request', status, message: `${host} did not accept the request (${status}).${said}`, detail };
}

/**
 * A fetch that failed without a response. A browser reports a CORS refusal and an unreachable
 * server with the same bare TypeError, so CORS is claimed only when a no-cors probe reached the
 * server; otherwise the message names both causes and the preset's CORS fix.
 */
function classifyConnectionFailure(error: unknown, host: string, context: FailureContext): RemoteError {
  if (context.phase === 'stream') {
    return {
      kind: 'stream-interrupted',
      message: `The connection to ${host} broke before the answer was complete; the part that arrived is kept. Send again to retry.`,
    };
  }
  const targetOrigin = originOf(context.baseUrl);
  if (context.policyBlocked) {
    return {
      kind: 'blocked-by-policy',
      message: `This page's Content-Security-Policy does not allow connections to ${targetOrigin ?? host}, so the browser blocked the request. Whoever runs this site must add it to connect-src.`,
    };
  }
  const loopback = isLoopbackTarget(context.baseUrl);
  if (!context.online && !loopback) {
    return { kind: 'network', offline: true, fix: null, message: `This device is offline, so ${host} cannot be reached. Reconnect and send again.` };
  }
  const corsPossible = context.pageOrigin !== null && targetOrigin !== null && targetOrigin !== context.pageOrigin;
  if (!corsPossible) {
    const cause = shorten(causeMessage(error));
    return {
      kind: 'network',
      offline: false,
      fix: null,
      message: `Could not connect to ${host}. Check that the server is running and that the base URL and port are right.${cause ? ` (${cause})` : ''}`,
    };
  }
  const fix = describeCorsFix(context.presetId, context.pageOrigin);
  if (context.reachability === 'reachable') {
    return {
      kind: 'cors',
      fix,
      message: `${host} is running, but it does not allow this page to read its answers (CORS), so the browser blocked them. ${fix}`,
    };
  }
  const localAccess =
    loopback && context.pageOrigin && !isLoopbackTarget(context.pageOrigin)
      ? ' If the browser asked whether this site may access devices on your local network, allow it.'
      : '';
  return {
    kind: 'network',
    offline: false,
    fix,
    message:
      `Could not get an answer from ${host}: either the server is not reachable (is it running? are the base URL and port right?) ` +
      `or it refused this page (CORS); the browser does not say which.${localAccess} If the server is running: ${fix}`,
  };
}

function timeoutError(host: string, phase: 'first-byte' | 'total', afterMs: number | null): RemoteError {
  const after = afterMs === null ? '' : ` within ${formatWait(afterMs)}`;
  return phase === 'first-byte'
    ? {
        kind: 'timeout',
        phase,
        afterMs: afterMs ?? 0,
        message: `${host} did not start answering${after}, so the request was stopped. A local server may still be loading the model: wait a moment and send again.`,
      }
    : {
        kind: 'timeout',
        phase,
        afterMs: afterMs ?? 0,
        message: `The answer from ${host} did not finish${after} and was stopped; the part that arrived is kept.`,
      };
}

/** Reads `retry-after-ms` (OpenAI) or `retry-after` as seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(headers: HeaderLookup | null, now: number): number | null {
  if (!headers) return null;
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds && /^\s*\d+(\.\d+)?\s*$/.test(milliseconds)) return Math.round(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 1) return '1 second';
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Removes the given secrets and anything shaped like a bearer token or an OpenAI-style key. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  // Secrets shorter than this would blank ordinary words; real keys are far longer.
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result.replace(/\bBearer\s+[^\s"',]+/gi, 'Bearer [redacted]').replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, 'sk-[redacted]');
}

function redactError(error: RemoteError, secrets: readonly string[]): RemoteError {
  const redacted = { ...error, message: redactSecrets(error.message, secrets) };
  if ('detail' in redacted && redacted.detail) redacted.detail = redactSecrets(redacted.detail, secrets);
  if ('fix' in redacted && redacted.fix) redacted.fix = redactSecrets(redacted.fix, secrets);
  return redacted;
}

export interface HeaderLookup {
  get(name: string): string | null | undefined;
}

function headersOf(error: unknown): HeaderLookup | null {
  const headers = field(error, 'headers');
  if (!headers || typeof headers !== 'object') return null;
  if (typeof (headers as HeaderLookup).get === 'function') return headers as HeaderLookup;
  const record = headers as Record<string, unknown>;
  return {
    get: (name) => {
      const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
      const value = key === undefined ? undefined : record[key];
      return typeof value === 'string' ? value : null;
    },
  };
}

function isLoopbackTarget(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

function isMalformedStream(error: unknown): boolean {
  const name = field(error, 'name');
  return error instanceof SyntaxError || name === 'SyntaxError' || name === 'MalformedStreamError';
}

/** A fetch that got no response (or lost it); walks the cause chain (the SDK wraps fetch's TypeError in "Connection error."). */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof field(error, 'status') === 'number') return false;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const code = field(current, 'code');
    if (CONNECTION_FAILURE.test(messageOf(current)) || (typeof code === 'string' && CONNECTION_FAILURE.test(code))) return true;
    current = field(current, 'cause');
  }
  return false;
}

function causeMessage(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const message = messageOf(current);
    const code = field(current, 'code');
    if (message && message !== 'Connection error.') messages.push(message);
    if (typeof code === 'string' && !message.includes(code)) messages.push(code);
    current = field(current, 'cause');
  }
  return messages.join(': ');
}

/** The server's own words: the JSON error message, else the SDK message without its status prefix. */
function detailOf(error: unknown): string | null {
  const body = bodyOf(error);
  const bodyMessage = body && typeof body === 'object' ? field(body, 'message') : body;
  const text = typeof bodyMessage === 'string' ? bodyMessage : messageOf(error).replace(/^\d{3}\s*(status code)?\s*/i, '');
  return shorten(text) || null;
}

function bodyOf(error: unknown): unknown {
  const body = field(error, 'error');
  return body === undefined || body === null ? null : body;
}

function codeOf(error: unknown): string | null {
  const body = bodyOf(error);
  const code = field(error, 'code') ?? (body && typeof body === 'object' ? field(body, 'code') : undefined);
  return typeof code === 'string' ? code : null;
}

/** Strips markup (proxies answer 413/502 with HTML pages), collapses whitespace, caps the length. */
function shorten(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > DETAIL_LIMIT ? `${plain.slice(0, DETAIL_LIMIT)}…` : plain;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  const message = field(error, 'message');
  return typeof message === 'string' ? message : '';
}

function numberField(value: unknown, name: string): number | null {
  const found = field(value, name);
  return typeof found === 'number' && Number.isFinite(found) ? found : null;
}

function field(value: unknown, name: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}
