import type OpenAI from 'openai';
import { buildChatBody, type RemoteChatRequest, type RemoteEndpoint } from './chat-request.ts';
import { findPreset } from './endpoint-presets.ts';
import { isMixedContent, normalizeBaseUrl, originOf } from './endpoint-url.ts';
import { defaultRemoteEnvironment, type RemoteEnvironment } from './remote-environment.ts';
import {
  classifyRemoteFailure,
  isConnectionFailure,
  MalformedStreamError,
  redactSecrets,
  type FailureContext,
  type Reachability,
  type RemoteError,
  type StopCause,
} from './remote-errors.ts';

export const REMOTE_TIMEOUTS = {
  /** Until the first stream event: a local server may load the model from disk first. */
  firstByteMs: 120_000,
  /** The whole answer. */
  totalMs: 300_000,
  /** A 429 whose retry-after is at most this long is retried once, automatically. */
  autoRetryMaxWaitMs: 10_000,
  listModelsMs: 15_000,
} as const;

export interface RemoteTimings {
  /** From the request (of the attempt that answered) to the first text; null when no text came. */
  firstTokenMs: number | null;
  totalMs: number;
  /** Time spent waiting out a 429 before the attempt that answered. */
  waitedMs: number;
}

export interface RemoteUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** One terminal outcome per send. On failure `text` holds what arrived before it. */
export type RemoteChatOutcome =
  /** finishReason is null when the server names none (some compatible servers never do). */
  | { ok: true; text: string; finishReason: string | null; timings: RemoteTimings; usage: RemoteUsage | null }
  | { ok: false; error: RemoteError; text: string; timings: RemoteTimings | null };

export type RemoteChatEvent =
  | { type: 'delta'; delta: string; text: string }
  /** A short 429: the client waits `waitMs`, then sends once more (Stop still works). */
  | { type: 'retry-wait'; waitMs: number }
  /** Emitted once, with the same object the promise resolves to. */
  | { type: 'done'; outcome: RemoteChatOutcome };

export interface RemoteChatOptions {
  signal?: AbortSignal;
  onEvent?: (event: RemoteChatEvent) => void;
  firstByteTimeoutMs?: number;
  totalTimeoutMs?: number;
  /** 0 turns the automatic 429 retry off. */
  maxAutoRetryWaitMs?: number;
  environment?: RemoteEnvironment;
}

export type ListModelsOutcome = { ok: true; models: string[] } | { ok: false; error: RemoteError };

export interface ListModelsOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  environment?: RemoteEnvironment;
}

type OpenAiModule = typeof import('openai');

let sdkPromise: Promise<OpenAiModule> | null = null;

/** The SDK loads on the first send, not with the page; a failed load can be retried. */
export function loadOpenAiSdk(): Promise<OpenAiModule> {
  sdkPromise ??= import('openai').catch((error: unknown) => {
    sdkPromise = null;
    throw error;
  });
  return sdkPromise;
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

  const normalized = { ...request, endpoint: { ...request.endpoint, baseUrl: trimBaseUrl(request.endpoint.baseUrl) } };
  const maxAutoRetryWaitMs = options.maxAutoRetryWaitMs ?? REMOTE_TIMEOUTS.autoRetryMaxWaitMs;
  let waitedMs = 0;
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await attemptChat(normalized, options, environment, waitedMs);
    const error = outcome.ok ? null : outcome.error;
    const retryAfterMs = error?.kind === 'rate-limited' && !error.quotaExhausted ? error.retryAfterMs : null;
    if (attempt > 0 || retryAfterMs === null || retryAfterMs > maxAutoRetryWaitMs || outcome.text) return finish(outcome);

    options.onEvent?.({ type: 'retry-wait', waitMs: retryAfterMs });
    const started = environment.now();
    const completed = await wait(retryAfterMs, options.signal);
    waitedMs += environment.now() - started;
    if (!completed) {
      return finish({ ok: false, error: { kind: 'aborted', message: 'Stopped.' }, text: '', timings: { firstTokenMs: null, totalMs: 0, waitedMs } });
    }
  }
}

async function attemptChat(
  request: RemoteChatRequest,
  options: RemoteChatOptions,
  environment: RemoteEnvironment,
  waitedMs: number,
): Promise<RemoteChatOutcome> {
  const { endpoint } = request;
  const preset = findPreset(endpoint.presetId);
  const firstByteMs = options.firstByteTimeoutMs ?? REMOTE_TIMEOUTS.firstByteMs;
  const totalMs = options.totalTimeoutMs ?? REMOTE_TIMEOUTS.totalMs;
  const startedAt = environment.now();
  const guard = new RequestGuard(options.signal);
  guard.startTimer({ by: 'timeout', phase: 'first-byte', afterMs: firstByteMs });
  guard.startTimer({ by: 'timeout', phase: 'total', afterMs: totalMs });
  const policy = environment.watchPolicyViolations(originOf(endpoint.baseUrl) ?? endpoint.baseUrl);

  let phase: FailureContext['phase'] = 'request';
  let text = '';
  let firstTokenAt: number | null = null;
  let finishReason: string | null = null;
  let usage: RemoteUsage | null = null;
  let chunks = 0;
  const timings = (): RemoteTimings => ({
    firstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
    totalMs: environment.now() - startedAt,
    waitedMs,
  });
  const fail = async (error: unknown): Promise<RemoteChatOutcome> => {
    const context = await failureContext(error, {
      operation: 'chat',
      endpoint,
      model: request.model,
      phase,
      stop: guard.stop,
      environment,
      policyBlocked: () => policy.blocked(),
      image: request.image,
      signal: options.signal,
    });
    return { ok: false, error: classifyRemoteFailure(error, context), text, timings: timings() };
  };

  try {
    let client: OpenAI;
    try {
      client = createSdkClient(await loadOpenAiSdk(), endpoint, totalMs);
    } catch (error) {
      return { ok: false, error: sdkLoadError(error, endpoint.apiKey), text, timings: null };
    }
    if (guard.stop) return await fail(null);
    const body = buildChatBody(request, preset.streamUsage);
    const stream = await client.chat.completions.create(body, { signal: guard.signal });
    phase = 'stream';
    for await (const chunk of stream as AsyncIterable<unknown>) {
      if (chunks++ === 0) guard.clearTimer('first-byte');
      const parsed = readChunk(chunk);
      if (parsed.usage) usage = parsed.usage;
      if (parsed.finishReason) finishReason = parsed.finishReason;
      if (parsed.delta) {
        firstTokenAt ??= environment.now();
        text += parsed.delta;
        options.onEvent?.({ type: 'delta', delta: parsed.delta, text });
      }
    }
    // The SDK ends the iteration quietly when the request is aborted.
    if (guard.stop) return await fail(null);
    if (chunks === 0) throw new MalformedStreamError('no stream events: the answer was not a server-sent event stream');
    // Some compatible servers never send a finish_reason, so a stream that closed cleanly with text is
    // an answer (a broken connection throws above instead). With no text and no finish_reason nothing
    // was answered.
    if (finishReason === null && !text) throw new TypeError('terminated: the stream ended without an answer or a finish_reason');
    return { ok: true, text, finishReason, timings: timings(), usage };
  } catch (error) {
    return await fail(error);
  } finally {
    guard.dispose();
    policy.stop();
  }
}

/** Lists the endpoint's model ids (GET /models), sorted; for the model field's suggestions. */
export async function listRemoteModels(endpoint: RemoteEndpoint, options: ListModelsOptions = {}): Promise<ListModelsOutcome> {
  const environment = options.environment ?? defaultRemoteEnvironment();
  const invalid = validateEndpoint(endpoint, environment.pageOrigin);
  if (invalid) return { ok: false, error: invalid };
  const normalized = { ...endpoint, baseUrl: trimBaseUrl(endpoint.baseUrl) };
  const timeoutMs = options.timeoutMs ?? REMOTE_TIMEOUTS.listModelsMs;
  const guard = new RequestGuard(options.signal);
  guard.startTimer({ by: 'timeout', phase: 'total', afterMs: timeoutMs });
  const policy = environment.watchPolicyViolations(originOf(normalized.baseUrl) ?? normalized.baseUrl);
  let phase: FailureContext['phase'] = 'request';
  try {
    let client: OpenAI;
    try {
      client = createSdkClient(await loadOpenAiSdk(), normalized, timeoutMs);
    } catch (error) {
      return { ok: false, error: sdkLoadError(error, normalized.apiKey) };
    }
    const page = await client.models.list({ signal: guard.signal });
    phase = 'stream';
    const ids = new Set<string>();
    for (const model of page.data as unknown[]) {
      const id = model && typeof model === 'object' ? (model as { id?: unknown }).id : undefined;
      if (typeof id === 'string') ids.add(id);
    }
    return { ok: true, models: [...ids].sort((a, b) => a.localeCompare(b)) };
  } catch (error) {
    const context = await failureContext(error, {
      operation: 'list-models',
      endpoint: normalized,
      model: '',
      phase,
      stop: guard.stop,
      environment,
      policyBlocked: () => policy.blocked(),
      image: null,
      signal: options.signal,
    });
    return { ok: false, error: classifyRemoteFailure(error, context) };
  } finally {
    guard.dispose();
    policy.stop();
  }
}

/** The SDK's platform headers (X-Stainless-*) are dropped: they say nothing the server needs, and every extra header must pass CORS. */
const UNSENT_SDK_HEADERS = {
  'X-Stainless-Lang': null,
  'X-Stainless-Package-Version': null,
  'X-Stainless-OS': null,
  'X-Stainless-Arch': null,
  'X-Stainless-Runtime': null,
  'X-Stainless-Runtime-Version': null,
  'X-Stainless-Retry-Count': null,
  'X-Stainless-Timeout': null,
  'User-Agent': null,
} as const;

const SILENT_LOGGER = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function createSdkClient(sdk: OpenAiModule, endpoint: RemoteEndpoint, timeoutMs: number): OpenAI {
  return new sdk.OpenAI({
    // The SDK refuses to start without a key; with none, the header that would carry it is removed.
    apiKey: endpoint.apiKey || 'no-key',
    baseURL: endpoint.baseUrl,
    // The user brings their own key, typed into this page; it goes to no server but theirs.
    dangerouslyAllowBrowser: true,
    // 429 handling is ours (retry-after shown to the user); a streamed POST is not ours to repeat.
    maxRetries: 0,
    // Our timers stop the request first, with a precise reason; this is only a backstop.
    timeout: timeoutMs + 5000,
    // Explicit nulls: in Node the SDK would otherwise read OPENAI_* environment variables.
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    logLevel: 'off',
    logger: SILENT_LOGGER,
    defaultHeaders: endpoint.apiKey ? UNSENT_SDK_HEADERS : { ...UNSENT_SDK_HEADERS, Authorization: null },
    fetchOptions: { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'no-store' },
  });
}

function sdkLoadError(error: unknown, apiKey: string): RemoteError {
  const message = redactSecrets(error instanceof Error ? error.message : String(error), [apiKey]);
  return { kind: 'unknown', message: `The code that talks to remote VLMs could not be loaded (${message}). Reload the page and try again.` };
}

interface ContextInput {
  operation: FailureContext['operation'];
  endpoint: RemoteEndpoint;
  model: string;
  phase: FailureContext['phase'];
  stop: StopCause | null;
  environment: RemoteEnvironment;
  policyBlocked: () => Promise<boolean>;
  image: RemoteChatRequest['image'];
  signal: AbortSignal | undefined;
}

async function failureContext(error: unknown, input: ContextInput): Promise<FailureContext> {
  const { environment, endpoint } = input;
  const targetOrigin = originOf(endpoint.baseUrl);
  const crossOrigin = environment.pageOrigin !== null && targetOrigin !== null && targetOrigin !== environment.pageOrigin;
  const failedWithoutResponse = input.stop === null && input.phase === 'request' && isConnectionFailure(error);
  let reachability: Reachability = 'not-probed';
  if (failedWithoutResponse && crossOrigin && !input.signal?.aborted) {
    reachability = await environment.probeReachability(endpoint.baseUrl, input.signal ?? new AbortController().signal);
  }
  return {
    operation: input.operation,
    presetId: endpoint.presetId,
    baseUrl: endpoint.baseUrl,
    model: input.model,
    phase: input.phase,
    // Stop pressed while the probe ran still counts as Stop.
    stop: input.stop ?? (input.signal?.aborted ? { by: 'user' } : null),
    reachability,
    // Only a request that got no response can have been blocked by the page's policy.
    policyBlocked: failedWithoutResponse ? await input.policyBlocked() : false,
    pageOrigin: environment.pageOrigin,
    online: environment.isOnline(),
    image: input.image ? { bytes: input.image.bytes, width: input.image.width, height: input.image.height } : null,
    secrets: endpoint.apiKey ? [endpoint.apiKey] : [],
    now: environment.now(),
  };
}

interface ParsedChunk {
  delta: string;
  finishReason: string | null;
  usage: RemoteUsage | null;
}

/** Validates one stream event: the SDK types it, but a foreign server can send anything that parses. */
function readChunk(chunk: unknown): ParsedChunk {
  if (!chunk || typeof chunk !== 'object' || !Array.isArray((chunk as { choices?: unknown }).choices)) {
    throw new MalformedStreamError('a stream event without "choices"');
  }
  const { choices, usage } = chunk as { choices: unknown[]; usage?: unknown };
  const choice = choices[0] as { delta?: { content?: unknown }; finish_reason?: unknown } | undefined;
  const content = choice?.delta?.content;
  return {
    delta: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    usage: readUsage(usage),
  };
}

function readUsage(usage: unknown): RemoteUsage | null {
  if (!usage || typeof usage !== 'object') return null;
  const { prompt_tokens, completion_tokens, total_tokens } = usage as Record<string, unknown>;
  if (typeof prompt_tokens !== 'number' || typeof completion_tokens !== 'number') return null;
  return {
    promptTokens: prompt_tokens,
    completionTokens: completion_tokens,
    totalTokens: typeof total_tokens === 'number' ? total_tokens : prompt_tokens + completion_tokens,
  };
}

/** Owns one request's AbortController: the caller's signal and our timers abort it, and the first reason wins. */
class RequestGuard {
  readonly #controller = new AbortController();
  readonly #timers = new Map<'first-byte' | 'total', ReturnType<typeof setTimeout>>();
  readonly #callerSignal: AbortSignal | undefined;
  #stop: StopCause | null = null;

  constructor(callerSignal: AbortSignal | undefined) {
    this.#callerSignal = callerSignal;
    if (callerSignal?.aborted) this.#abort({ by: 'user' });
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get stop(): StopCause | null {
    return this.#stop;
  }

  startTimer(cause: Extract<StopCause, { by: 'timeout' }>): void {
    this.#timers.set(cause.phase, setTimeout(() => this.#abort(cause), cause.afterMs));
  }

  clearTimer(phase: 'first-byte' | 'total'): void {
    clearTimeout(this.#timers.get(phase));
    this.#timers.delete(phase);
  }

  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }

  readonly #onCallerAbort = () => this.#abort({ by: 'user' });

  #abort(cause: StopCause): void {
    this.#stop ??= cause;
    this.#controller.abort();
  }
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
