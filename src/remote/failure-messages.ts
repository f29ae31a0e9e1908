import { formatBytes } from '../core/units.ts';
import { describeCorsFix, findPreset } from './endpoint-presets.ts';
import { hostOf, isLoopbackHost, originOf } from './endpoint-url.ts';
import { redactError } from './redaction.ts';
import type { Failure, FailureContext, RemoteError, StopCause } from './remote-errors.ts';
import { parseRetryAfter } from './retry-after.ts';

const DETAIL_LIMIT = 300;

export const STOPPED: RemoteError = { kind: 'aborted', message: 'Stopped.' };

/** Our own stop: the user's, or a deadline's. */
export function describeStop(stop: StopCause, host: string): RemoteError {
  return stop.by === 'user' ? STOPPED : timeoutError(host, stop.phase, stop.afterMs);
}

/** Words a failure for the user, with the secrets taken out. */
export function describeFailure(failure: Failure, context: FailureContext): RemoteError {
  return redactError(describe(failure, context), context.secrets);
}

function describe(failure: Failure, context: FailureContext): RemoteError {
  const host = hostOf(context.baseUrl);
  switch (failure.type) {
    case 'http':
      return describeHttpStatus(failure, host, context);
    case 'error-event': {
      const detail = shorten(failure.detail);
      return {
        kind: 'server',
        message: `${host} reported an error in the middle of the answer${detail ? `: "${detail}"` : ''}. Send again to retry.`,
        status: null,
        retryAfterMs: null,
        detail: detail || null,
      };
    }
    case 'connection':
      return describeConnectionFailure(failure.cause, host, context);
    case 'sdk-timeout':
      return timeoutError(host, 'total', null);
    case 'malformed': {
      const detail = shorten(failure.detail);
      return {
        kind: 'malformed-stream',
        message: `${host} sent an answer this app cannot read${detail ? ` (${detail})` : ''}. Check that the base URL is the root of an OpenAI-compatible API (for example …/v1).`,
        detail,
      };
    }
    case 'other':
      return { kind: 'unknown', message: `Sending to ${host} failed: ${shorten(failure.message) || 'unknown error'}` };
  }
}

function describeHttpStatus(failure: Extract<Failure, { type: 'http' }>, host: string, context: FailureContext): RemoteError {
  const { status } = failure;
  const detail = shorten(failure.detail) || null;
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
    if (failure.code === 'insufficient_quota') {
      return {
        kind: 'rate-limited',
        message: `${host} says this account has used up its quota (429). Check the plan and billing; waiting will not help.${said}`,
        retryAfterMs: null,
        retryAt: null,
        quotaExhausted: true,
        detail,
      };
    }
    const retryAfterMs = parseRetryAfter(failure.headers, context.now);
    const when = retryAfterMs === null ? 'Wait a little, then send again.' : `Send again in ${formatWait(retryAfterMs)}.`;
    return {
      kind: 'rate-limited',
      message: `${host} is limiting requests (429). ${when}`,
      retryAfterMs,
      retryAt: retryAfterMs === null ? null : context.now + retryAfterMs,
      quotaExhausted: false,
      detail,
    };
  }
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(failure.headers, context.now);
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
function describeConnectionFailure(cause: string, host: string, context: FailureContext): RemoteError {
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
    const said = shorten(cause);
    return {
      kind: 'network',
      offline: false,
      fix: null,
      message: `Could not connect to ${host}. Check that the server is running and that the base URL and port are right.${said ? ` (${said})` : ''}`,
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

/** A wait as people say it: "1 second", "20 seconds", "3 minutes", "2 hours" (rounded up). */
export function formatWait(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds <= 1) return '1 second';
  if (seconds < 90) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

function isLoopbackTarget(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Strips markup (proxies answer 413/502 with HTML pages), collapses whitespace, caps the length. */
function shorten(text: string): string {
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > DETAIL_LIMIT ? `${plain.slice(0, DETAIL_LIMIT)}…` : plain;
}
