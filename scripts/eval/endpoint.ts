/**
 * An OpenAI-compatible chat client per endpoint (targets, the judge, the guard, a served rewriter), with one retry
 * policy, ours: the SDK never retries (maxRetries 0); p-queue holds the endpoint's concurrency and requests per
 * minute, and every attempt takes its turn there; p-retry backs off exponentially with jitter after a 429, 408, 5xx,
 * a dropped connection or a timeout, waiting at least what Retry-After asks. Any other 4xx fails at once.
 */
import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { ChatCompletionContentPart, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import PQueue from 'p-queue';
import pRetry, { AbortError } from 'p-retry';
import sharp from 'sharp';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChatMessage } from '../../src/core/rewriter-api.ts';
import type { ChatAnswer, EndpointSpec } from './eval-types.ts';

/** One chat call: our messages, where `{ type: 'image' }` marks the place of the image at `image`. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** The image file's path; null: text only. */
  image: string | null;
  maxTokens: number;
  /** Fields the server reads beyond the standard ones (vLLM's structured_outputs); they go into the body as is. */
  extraBody?: Record<string, unknown>;
}

export interface EndpointAnswer extends ChatAnswer {
  /** The response carried `x-vlmguard-scripted: 1`: it came from the scripted test server. */
  scripted: boolean;
}

/** The endpoint refused our credentials (401, 403): every other call would fail the same way. */
export class EndpointAuthError extends Error {
  override readonly name = 'EndpointAuthError';
}

export interface EndpointClient {
  spec: EndpointSpec;
  chat(request: ChatRequest): Promise<EndpointAnswer>;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** The first backoff; each next one doubles, with jitter, up to maxBackoffMs. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** The longest Retry-After honoured; a server asking for more is retried after this long. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 6, minBackoffMs: 500, maxBackoffMs: 30_000, maxRetryAfterMs: 120_000 };

export interface EndpointClientOptions {
  images: ImageDataUrls;
  /** Per attempt. */
  timeoutMs: number;
  retry?: RetryPolicy;
  env?: NodeJS.ProcessEnv;
}

/** The longest side of an image sent to an endpoint: enough for any VLM's tiles, small enough for every body limit. */
export const SENT_IMAGE_MAX_SIDE = 1024;

/**
 * Each image file read and encoded once, whichever endpoint or method sends it. The run works through the items in
 * order, so the most recent images are enough to keep (a data URL is ~50–300 KB; a benchmark has thousands).
 */
export class ImageDataUrls {
  readonly #byPath = new Map<string, Promise<string>>();
  readonly #capacity: number;

  constructor(capacity = 512) {
    this.#capacity = capacity;
  }

  get(imagePath: string): Promise<string> {
    let url = this.#byPath.get(imagePath);
    if (url) {
      // Most recently used last.
      this.#byPath.delete(imagePath);
    } else {
      url = encodeImage(imagePath);
      url.catch(() => this.#byPath.delete(imagePath));
    }
    this.#byPath.set(imagePath, url);
    const oldest = this.#byPath.keys().next().value;
    if (this.#byPath.size > this.#capacity && oldest !== undefined) this.#byPath.delete(oldest);
    return url;
  }
}

async function encodeImage(imagePath: string): Promise<string> {
  const jpeg = await sharp(imagePath)
    .rotate()
    .resize({ width: SENT_IMAGE_MAX_SIDE, height: SENT_IMAGE_MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 90 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** The key from the environment variable the spec names; throws when it is named but unset. */
export function endpointApiKey(spec: EndpointSpec, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!spec.apiKeyEnv) return null;
  const key = env[spec.apiKeyEnv];
  if (!key) throw new Error(`Endpoint ${spec.name}: the environment variable ${spec.apiKeyEnv} (key-env) is not set.`);
  return key;
}

export function createEndpointClient(spec: EndpointSpec, options: EndpointClientOptions): EndpointClient {
  const key = endpointApiKey(spec, options.env);
  // No key: the SDK would read OPENAI_API_KEY and send it to whatever server this is.
  const client = new OpenAI({ baseURL: spec.baseURL, apiKey: key ?? 'no-key', maxRetries: 0, timeout: options.timeoutMs });
  const queue = new PQueue({
    concurrency: spec.concurrency,
    ...(spec.requestsPerMinute === null ? {} : { intervalCap: spec.requestsPerMinute, interval: 60_000 }),
  });
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const where = `${spec.name} (${spec.baseURL}, model ${spec.model})`;
  const redact = (text: string) => (key ? text.split(key).join('***') : text);

  async function attempt(request: ChatRequest): Promise<EndpointAnswer> {
    const messages = await toOpenAiMessages(request, options.images);
    const body = { model: spec.model, messages, max_tokens: request.maxTokens, temperature: 0, ...request.extraBody };
    const started = performance.now();
    const { data, response } = await client.chat.completions
      .create(body as ChatCompletionCreateParamsNonStreaming, { timeout: options.timeoutMs })
      .withResponse();
    const choice = data.choices?.[0];
    if (!choice) throw new AbortError(`${where}: the answer has no choices.`);
    return {
      text: choice.message?.content ?? '',
      finishReason: choice.finish_reason ?? null,
      usage: data.usage ? { promptTokens: data.usage.prompt_tokens, completionTokens: data.usage.completion_tokens } : null,
      ms: Math.round(performance.now() - started),
      scripted: response.headers.get('x-vlmguard-scripted') === '1',
    };
  }

  return {
    spec,
    async chat(request) {
      try {
        return await pRetry(
          async () => {
            try {
              return (await queue.add(() => attempt(request), { throwOnTimeout: true }));
            } catch (error) {
              throw classify(error, where, spec, redact);
            }
          },
          {
            retries: policy.retries,
            minTimeout: policy.minBackoffMs,
            maxTimeout: policy.maxBackoffMs,
            factor: 2,
            randomize: true,
            onFailedAttempt: async (error) => {
              const wait = retryAfterMs(error, policy.maxRetryAfterMs);
              if (wait > 0) await delay(wait);
            },
          },
        );
      } catch (error) {
        if (error instanceof EndpointAuthError) throw error;
        throw new Error(redact(error instanceof Error ? error.message : String(error)), { cause: error });
      }
    },
  };
}

const RETRIED_STATUSES = new Set([408, 409, 425, 429]);

/** What one failed attempt means: retry (a plain Error), stop (AbortError), or stop the whole run (EndpointAuthError). */
function classify(error: unknown, where: string, spec: EndpointSpec, redact: (text: string) => string): Error {
  if (error instanceof AbortError) return error;
  if (error instanceof APIConnectionError) return new RetryableError(`${where}: ${redact(error.message)}`, null);
  if (error instanceof APIError && typeof error.status === 'number') {
    const message = `${where}: HTTP ${error.status}: ${redact(error.message)}`;
    if (error.status === 401 || error.status === 403) {
      const fix = spec.apiKeyEnv ? `check the key in $${spec.apiKeyEnv}` : 'it needs a key: add key-env=VAR and set VAR';
      return new AbortError(new EndpointAuthError(`${where} refused the request (HTTP ${error.status}): ${fix}.`));
    }
    if (RETRIED_STATUSES.has(error.status) || error.status >= 500) return new RetryableError(message, error.headers ?? null);
    return new AbortError(message);
  }
  return new AbortError(`${where}: ${redact(error instanceof Error ? error.message : String(error))}`);
}

class RetryableError extends Error {
  readonly headers: Headers | null;
  constructor(message: string, headers: Headers | null) {
    super(message);
    this.headers = headers;
  }
}

/** Retry-After (seconds or an HTTP date) or retry-after-ms, capped; 0 when the server asked for nothing. */
export function retryAfterMs(error: unknown, maxMs: number, now = Date.now()): number {
  if (!(error instanceof RetryableError) || !error.headers) return 0;
  const milliseconds = Number(error.headers.get('retry-after-ms'));
  if (milliseconds > 0) return Math.min(milliseconds, maxMs);
  const value = error.headers.get('retry-after')?.trim();
  if (!value) return 0;
  const seconds = Number(value);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(wait) ? Math.min(Math.max(0, wait), maxMs) : 0;
}

async function toOpenAiMessages(request: ChatRequest, images: ImageDataUrls): Promise<ChatCompletionMessageParam[]> {
  const imageUrl = request.messages.some((message) => message.content.some((part) => part.type === 'image'))
    ? await readImage(request.image, images)
    : null;
  return request.messages.map((message): ChatCompletionMessageParam => {
    const textOnly = message.content.every((part) => part.type === 'text');
    if (textOnly || message.role !== 'user') {
      const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
      return message.role === 'user' ? { role: 'user', content: text } : { role: message.role, content: text };
    }
    const parts = message.content.map((part): ChatCompletionContentPart =>
      part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', image_url: { url: imageUrl ?? '' } },
    );
    return { role: 'user', content: parts };
  });
}

async function readImage(imagePath: string | null, images: ImageDataUrls): Promise<string> {
  if (imagePath === null) throw new AbortError('The messages mark an image but the request names none.');
  try {
    return await images.get(imagePath);
  } catch (error) {
    throw new AbortError(`Cannot read the image ${imagePath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
