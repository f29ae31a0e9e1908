import { errorMessage } from '../core/error-facts.ts';
import type { RemoteChatRequest, RemoteEndpoint } from './chat-request.ts';
import { findPreset } from './endpoint-presets.ts';
import { isMixedContent, normalizeBaseUrl } from './endpoint-url.ts';
import { STOPPED } from './failure-messages.ts';
import { redactSecrets } from './redaction.ts';
import { defaultRemoteEnvironment, type RemoteEnvironment } from './remote-environment.ts';
import type { RemoteError } from './remote-errors.ts';
import type { ListModelsOutcome, RemoteChatEvent, RemoteChatOutcome } from './remote-outcome.ts';

export type { ListModelsOutcome, RemoteChatEvent, RemoteChatOutcome, RemoteTimings } from './remote-outcome.ts';

const REMOTE_TIMEOUTS = {
  /** Until the first stream event: a local server may load the model from disk first. */
  firstByteMs: 120_000,
  /** The whole answer. */
  totalMs: 300_000,
  /** A 429 whose retry-after is at most this long is retried once, automatically. */
  autoRetryMaxWaitMs: 10_000,
  listModelsMs: 15_000,
} as const;

export interface RemoteChatOptions {
  signal?: AbortSignal;
  onEvent?: (event: RemoteChatEvent) => void;
  firstByteTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** 0 turns the automatic 429 retry off. */
  maxAutoRetryWaitMs?: number;
  environment?: RemoteEnvironment;
}

export interface ListModelsOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  environment?: RemoteEnvironment;
}

type RemoteRequests = typeof import('./remote-requests.ts');

let remoteRequests: Promise<RemoteRequests> | null = null;

/** The requests and the SDK load on the first send, not with the page; a failed load can be retried. */
function loadRemoteRequests(): Promise<RemoteRequests> {
  remoteRequests ??= import('./remote-requests.ts').catch((error: unknown) => {
    remoteRequests = null;
    throw error;
  });
  return remoteRequests;
}

/** Checks what can be checked before anything is sent. */
export function validateRemoteRequest(request: RemoteChatRequest, pageOrigin: string | null): RemoteError | null {
  const endpointError = validateEndpoint(request.endpoint, pageOrigin);
  if (endpointError) return endpointError;
  if (!request.model.trim()) {
    return { kind: 'config', field: 'model', message: 'Enter the name of the model to send to.' };
  }
  if (!request.text.trim()) return { kind: 'config', field: 'text', message: 'There is no prompt to send.' };
  return null;
}

function validateEndpoint(endpoint: RemoteEndpoint, pageOrigin: string | null): RemoteError | null {
  const check = normalizeBaseUrl(endpoint.baseUrl);
  if (!check.ok) return { kind: 'config', field: 'baseUrl', message: check.message };
  if (isMixedContent(check.url, pageOrigin)) {
    return {
      kind: 'config',
      field: 'baseUrl',
      message: `This page is served over https, so the browser will not send to the plain-http address ${check.url}. Use an https URL, or a server on this computer (localhost).`,
    };
  }
  const preset = findPreset(endpoint.presetId);
  if (preset.key === 'required' && !endpoint.apiKey) {
    return { kind: 'config', field: 'apiKey', message: `${preset.label} needs an API key. ${preset.keyHint}` };
  }
  return null;
}

/**
 * Sends one prompt (and image) to an OpenAI-compatible chat-completions endpoint and streams the
 * answer. Never throws: every ending, Stop included, is a RemoteChatOutcome.
 */
export async function sendRemoteChat(request: RemoteChatRequest, options: RemoteChatOptions = {}): Promise<RemoteChatOutcome> {
  const environment = options.environment ?? defaultRemoteEnvironment();
  const finish = (outcome: RemoteChatOutcome): RemoteChatOutcome => {
    options.onEvent?.({ type: 'done', outcome });
    return outcome;
  };
  const invalid = validateRemoteRequest(request, environment.pageOrigin);
  if (invalid) return finish({ ok: false, error: invalid, text: '', timings: null });
  let requests: RemoteRequests;
  try {
    requests = await loadRemoteRequests();
  } catch (error) {
    return finish({ ok: false, error: loadError(error, request.endpoint.apiKey), text: '', timings: null });
  }

  const normalized = { ...request, endpoint: { ...request.endpoint, baseUrl: trimBaseUrl(request.endpoint.baseUrl) } };
  const maxAutoRetryWaitMs = options.maxAutoRetryWaitMs ?? REMOTE_TIMEOUTS.autoRetryMaxWaitMs;
  let waitedMs = 0;
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await requests.attemptChat(normalized, {
      signal: options.signal,
      onEvent: options.onEvent,
      firstByteMs: options.firstByteTimeoutMs ?? REMOTE_TIMEOUTS.firstByteMs,
      totalMs: options.totalTimeoutMs ?? REMOTE_TIMEOUTS.totalMs,
      waitedMs,
      environment,
    });
    const error = outcome.ok ? null : outcome.error;
    const retryAfterMs = error?.kind === 'rate-limited' && !error.quotaExhausted ? error.retryAfterMs : null;
    if (attempt > 0 || retryAfterMs === null || retryAfterMs > maxAutoRetryWaitMs || outcome.text) return finish(outcome);

    options.onEvent?.({ type: 'retry-wait', waitMs: retryAfterMs });
    const started = environment.now();
    const completed = await wait(retryAfterMs, options.signal);
    waitedMs += environment.now() - started;
    if (!completed) return finish({ ok: false, error: STOPPED, text: '', timings: { firstTokenMs: null, totalMs: 0, waitedMs } });
  }
}

/** Lists the endpoint's model ids (GET /models), sorted; for the model field's suggestions. */
export async function listRemoteModels(endpoint: RemoteEndpoint, options: ListModelsOptions = {}): Promise<ListModelsOutcome> {
  const environment = options.environment ?? defaultRemoteEnvironment();
  const invalid = validateEndpoint(endpoint, environment.pageOrigin);
  if (invalid) return { ok: false, error: invalid };
  let requests: RemoteRequests;
  try {
    requests = await loadRemoteRequests();
  } catch (error) {
    return { ok: false, error: loadError(error, endpoint.apiKey) };
  }
  return requests.listModelIds(
    { ...endpoint, baseUrl: trimBaseUrl(endpoint.baseUrl) },
    { signal: options.signal, timeoutMs: options.timeoutMs ?? REMOTE_TIMEOUTS.listModelsMs, environment },
  );
}

function loadError(error: unknown, apiKey: string): RemoteError {
  const message = redactSecrets(errorMessage(error), [apiKey]);
  return { kind: 'unknown', message: `The code that talks to remote VLMs could not be loaded (${message}). Reload the page and try again.` };
}

/** Resolves true after `ms`, false as soon as the signal aborts. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function trimBaseUrl(baseUrl: string): string {
  const check = normalizeBaseUrl(baseUrl);
  return check.ok ? check.url : baseUrl;
}
