import { readAnswerStream } from './answer-stream.ts';
import { buildChatBody, type RemoteChatRequest, type RemoteEndpoint } from './chat-request.ts';
import { findPreset } from './endpoint-presets.ts';
import { hostOf, originOf } from './endpoint-url.ts';
import { failureContext, type FailedRequest } from './failure-context.ts';
import { describeFailure, describeStop } from './failure-messages.ts';
import { readFailure } from './read-failure.ts';
import type { RemoteEnvironment } from './remote-environment.ts';
import type { FailureContext, RemoteError } from './remote-errors.ts';
import type { ListModelsOutcome, RemoteChatEvent, RemoteChatOutcome, RemoteTimings } from './remote-outcome.ts';
import { requestSignal, type RequestSignal } from './request-signal.ts';
import { createSdkClient } from './sdk-client.ts';

/*
 * The requests themselves, through the openai SDK. remote-client.ts loads this module on first use,
 * so that the SDK is not part of the page's first load.
 */

export interface ChatAttemptOptions {
  signal: AbortSignal | undefined;
  onEvent: ((event: RemoteChatEvent) => void) | undefined;
  firstByteMs: number;
  totalMs: number;
  /** Time already spent waiting out a 429, for the timings. */
  waitedMs: number;
  environment: RemoteEnvironment;
}

/** One POST /chat/completions, streamed. Never throws: every ending, Stop included, is an outcome. */
export async function attemptChat(request: RemoteChatRequest, options: ChatAttemptOptions): Promise<RemoteChatOutcome> {
  const { endpoint } = request;
  const { environment } = options;
  const startedAt = environment.now();
  const stops = requestSignal(options.signal, { firstByteMs: options.firstByteMs, totalMs: options.totalMs });
  const policy = environment.watchPolicyViolations(originOf(endpoint.baseUrl) ?? endpoint.baseUrl);
  let phase: FailureContext['phase'] = 'request';
  let text = '';
  let firstTokenAt: number | null = null;
  const timings = (): RemoteTimings => ({
    firstTokenMs: firstTokenAt === null ? null : firstTokenAt - startedAt,
    totalMs: environment.now() - startedAt,
    waitedMs: options.waitedMs,
  });
  try {
    const client = createSdkClient(endpoint, options.totalMs);
    stops.signal.throwIfAborted();
    const body = buildChatBody(request, findPreset(endpoint.presetId).streamUsage);
    const stream = await client.chat.completions.create(body, { signal: stops.signal });
    phase = 'stream';
    const { finishReason, usage } = await readAnswerStream(stream, {
      firstEvent: stops.firstEventArrived,
      text: (delta) => {
        firstTokenAt ??= environment.now();
        text += delta;
        options.onEvent?.({ type: 'delta', delta, text });
      },
    });
    // The SDK ends the stream quietly when the request is aborted.
    stops.signal.throwIfAborted();
    return { ok: true, text, finishReason, timings: timings(), usage };
  } catch (error) {
    const failed = { operation: 'chat', endpoint, model: request.model, image: request.image, phase, userSignal: options.signal, environment, policy } as const;
    return { ok: false, error: await explain(error, stops, failed), text, timings: timings() };
  } finally {
    policy.stop();
  }
}

export interface ListModelsRequestOptions {
  signal: AbortSignal | undefined;
  timeoutMs: number;
  environment: RemoteEnvironment;
}

/** GET /models: the model ids, sorted. Never throws. */
export async function listModelIds(endpoint: RemoteEndpoint, options: ListModelsRequestOptions): Promise<ListModelsOutcome> {
  const { environment } = options;
  const stops = requestSignal(options.signal, { totalMs: options.timeoutMs });
  const policy = environment.watchPolicyViolations(originOf(endpoint.baseUrl) ?? endpoint.baseUrl);
  try {
    const page = await createSdkClient(endpoint, options.timeoutMs).models.list({ signal: stops.signal });
    const ids = new Set<string>();
    for (const model of page.data as unknown[]) {
      const id = model && typeof model === 'object' ? (model as { id?: unknown }).id : undefined;
      if (typeof id === 'string') ids.add(id);
    }
    return { ok: true, models: [...ids].sort((a, b) => a.localeCompare(b)) };
  } catch (error) {
    const failed = { operation: 'list-models', endpoint, model: '', image: null, phase: 'request', userSignal: options.signal, environment, policy } as const;
    return { ok: false, error: await explain(error, stops, failed) };
  } finally {
    policy.stop();
  }
}

/** What to tell the user about a request that did not end in an answer. */
async function explain(error: unknown, stops: RequestSignal, request: FailedRequest): Promise<RemoteError> {
  const host = hostOf(request.endpoint.baseUrl);
  // Our own stop decides, whatever the SDK made of it.
  const stop = stops.stopCause();
  if (stop) return describeStop(stop, host);
  const failure = readFailure(error);
  const context = await failureContext(failure, request);
  // Stop pressed while the probe ran still counts as Stop.
  if (request.userSignal?.aborted) return describeStop({ by: 'user' }, host);
  return describeFailure(failure, context);
}
