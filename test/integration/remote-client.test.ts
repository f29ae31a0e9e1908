import { createServer } from 'node:net';
import { APIConnectionError, APIConnectionTimeoutError, AuthenticationError, RateLimitError } from 'openai';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  imagesInRequest,
  startOpenAiTestServer,
  type OpenAiTestServer,
  type OpenAiTestServerMode,
} from '../../scripts/openai-test-server.ts';
import type { EncodedImage, RemoteChatRequest } from '../../src/remote/chat-request.ts';
import { readFailure } from '../../src/remote/read-failure.ts';
import { listRemoteModels, sendRemoteChat, type RemoteChatEvent, type RemoteChatOptions } from '../../src/remote/remote-client.ts';
import type { RemoteEnvironment } from '../../src/remote/remote-environment.ts';
import type { RemoteErrorKind } from '../../src/remote/remote-errors.ts';
import { createSdkClient } from '../../src/remote/sdk-client.ts';

const KEY = 'sk-test-SECRET-0123456789abcdefXYZ';
const PROMPT = 'Describe what the person in this photo is holding, without guessing who they are.';

let server: OpenAiTestServer;
let image: EncodedImage;

beforeAll(async () => {
  server = await startOpenAiTestServer({ chunkDelayMs: 1 });
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 80, b: 40 } } }).jpeg().toBuffer();
  image = {
    dataUrl: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
    mimeType: 'image/jpeg',
    width: 64,
    height: 48,
    bytes: jpeg.length,
    original: { width: 64, height: 48 },
  };
});
afterAll(() => server.close());
afterEach(() => server.setMode('ok'));

function chatRequest(overrides: Partial<RemoteChatRequest> = {}): RemoteChatRequest {
  return {
    endpoint: { presetId: 'custom', baseUrl: server.url, apiKey: KEY },
    model: 'test-vlm',
    text: PROMPT,
    image,
    maxTokens: 200,
    temperature: 0,
    ...overrides,
  };
}

async function send(overrides: Partial<RemoteChatRequest> = {}, options: RemoteChatOptions = {}) {
  const events: RemoteChatEvent[] = [];
  const outcome = await sendRemoteChat(chatRequest(overrides), {
    maxAutoRetryWaitMs: 0,
    ...options,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return { outcome, events };
}

/** Everything in a recorded request except its Authorization header. */
function requestWithoutAuthorization(index: number): string {
  const recorded = server.requests[index]!;
  const headers = Object.entries(recorded.headers).filter(([name]) => name !== 'authorization');
  return JSON.stringify({ url: recorded.url, path: recorded.path, headers, body: recorded.rawBody });
}

describe('sendRemoteChat: request and stream', () => {
  it('sends the text and the data-URL image to the model, streaming, with the key only in Authorization', async () => {
    const before = server.requests.length;
    const { outcome } = await send();
    expect(outcome.ok).toBe(true);

    expect(server.requests.length).toBe(before + 1);
    const recorded = server.requests[before]!;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(recorded.body).toEqual({
      model: 'test-vlm',
      messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }, { type: 'image_url', image_url: { url: image.dataUrl } }] }],
      stream: true,
      max_tokens: 200,
      temperature: 0,
    });
    expect(recorded.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(recorded.headers['content-type']).toBe('application/json');
    expect(requestWithoutAuthorization(before)).not.toContain(KEY);
    expect(requestWithoutAuthorization(before)).not.toContain('SECRET');
    // No SDK platform headers: nothing beyond what the request needs (and what CORS must allow).
    expect(Object.keys(recorded.headers).filter((name) => name.startsWith('x-'))).toEqual([]);

    const [received] = imagesInRequest(recorded);
    expect(received).toMatchObject({ mimeType: 'image/jpeg', format: 'jpeg', width: 64, height: 48, hasExif: false, trailingBytes: 0 });
  });

  it('assembles the streamed deltas into the answer, with events, timings and usage', async () => {
    const { outcome, events } = await send({ endpoint: { presetId: 'ollama', baseUrl: server.url, apiKey: '' } });
    const expected = `Echo from test-vlm: "Describe what the person in this photo is …" (image received: JPEG 64x48, ${image.bytes} bytes).`;
    expect(outcome).toMatchObject({ ok: true, text: expected, finishReason: 'stop' });
    const deltas = events.filter((event) => event.type === 'delta');
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.map((event) => event.delta).join('')).toBe(expected);
    expect(deltas.at(-1)).toMatchObject({ text: expected });
    expect(events.at(-1)).toEqual({ type: 'done', outcome });
    expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
    if (!outcome.ok) throw new Error('unreachable');
    expect(outcome.timings.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(outcome.timings.totalMs).toBeGreaterThanOrEqual(outcome.timings.firstTokenMs!);
    // The Ollama preset asks for usage at the end of the stream.
    expect(outcome.usage).toEqual({ promptTokens: 14, completionTokens: expect.any(Number), totalTokens: expect.any(Number) });
  });

  it('text only: no image part; no key: no Authorization header at all', async () => {
    const before = server.requests.length;
    const { outcome } = await send({ image: null, endpoint: { presetId: 'custom', baseUrl: `${server.url}/`, apiKey: '' } });
    expect(outcome).toMatchObject({ ok: true, text: expect.stringContaining('(no image received)') });
    const recorded = server.requests[before]!;
    expect((recorded.body as { messages: Array<{ content: unknown[] }> }).messages[0]!.content).toEqual([{ type: 'text', text: PROMPT }]);
    expect(recorded.headers).not.toHaveProperty('authorization');
  });

  it('stops mid-stream on abort: a distinct "aborted" outcome that keeps the partial text', async () => {
    server.setMode('slow-stream', { delayMs: 40 });
    const controller = new AbortController();
    const { outcome } = await send({}, {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'delta' && event.text.includes('test-vlm:')) controller.abort();
      },
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe('aborted');
    expect(outcome.text).toBe('Echo from test-vlm: ');
  });

  it('an already-aborted signal sends nothing', async () => {
    const before = server.requests.length;
    const { outcome } = await send({}, { signal: AbortSignal.abort() });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'aborted' } });
    expect(server.requests.length).toBe(before);
  });

  it('times out before the first byte', async () => {
    server.setMode('slow', { delayMs: 2000 });
    const started = Date.now();
    const { outcome } = await send({}, { firstByteTimeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout', phase: 'first-byte', afterMs: 200 } });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('times out on the whole answer, keeping what arrived', async () => {
    server.setMode('slow-stream', { delayMs: 60 });
    const { outcome } = await send({}, { totalTimeoutMs: 250 });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'timeout', phase: 'total' } });
    expect(outcome.text.length).toBeGreaterThan(0);
  });
});

describe('sendRemoteChat: every failure has its kind and a specific message', () => {
  const cases: Array<[OpenAiTestServerMode, RemoteErrorKind, RegExp]> = [
    ['unauthorized', 'auth', /rejected the API key \(401\)/],
    ['forbidden', 'auth', /refused access \(403\).*model "test-vlm"/],
    ['model-not-found', 'model-not-found', /Model "test-vlm" was not found at 127\.0\.0\.1:\d+ \(404\)/],
    ['payload-too-large', 'payload-too-large', /too large .*\(413\).*Max image side.*text only/],
    ['rate-limited', 'rate-limited', /limiting requests \(429\)\. Send again in 1 second/],
    ['server-error', 'server', /internal error \(500\)/],
    ['unavailable', 'server', /overloaded or still loading the model \(503\)/],
    ['malformed-json', 'malformed-stream', /cannot read/],
    ['missing-choices', 'malformed-stream', /without "choices"/],
    ['not-sse', 'malformed-stream', /not a server-sent event stream/],
    ['drop-mid-stream', 'stream-interrupted', /broke before the answer was complete/],
  ];

  it.each(cases)('%s → %s', async (mode, kind, wording) => {
    server.setMode(mode);
    const { outcome, events } = await send();
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe(kind);
    expect(outcome.error.message).toMatch(wording);
    expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
    // The 401 body echoes the key; no error, detail or partial text may carry it.
    expect(JSON.stringify(outcome)).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('a stream that ends cleanly with the whole answer but no finish_reason is an answer, not a failure', async () => {
    server.setMode('no-finish-reason');
    const { outcome } = await send();
    expect(outcome).toMatchObject({ ok: true, text: expect.stringMatching(/^Echo from test-vlm: .*\(image received: JPEG 64x48, \d+ bytes\)\.$/) });
  });

  it('a drop mid-stream keeps the text that arrived', async () => {
    server.setMode('drop-mid-stream');
    const { outcome } = await send();
    expect(outcome.text).toBe('Echo from ');
  });

  it('a server that does not know the model answers 404 naturally', async () => {
    const { outcome } = await send({ model: 'no-such-model' });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'model-not-found', model: 'no-such-model' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('does not exist');
  });

  it('413 from a body-size limit names the image size', async () => {
    const limited = await startOpenAiTestServer({ maxBodyBytes: 500 });
    try {
      const outcome = await sendRemoteChat(chatRequest({ endpoint: { presetId: 'custom', baseUrl: limited.url, apiKey: '' } }));
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'payload-too-large' } });
      if (!outcome.ok) expect(outcome.error.message).toContain('64×48');
    } finally {
      await limited.close();
    }
  });

  it('429 with an HTTP-date retry-after reports when to retry', async () => {
    server.setMode('rate-limited', { retryAfter: new Date(Date.now() + 120_000).toUTCString() });
    const { outcome } = await send();
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'rate-limited', retryAfterMs: expect.any(Number) } });
    if (outcome.ok || outcome.error.kind !== 'rate-limited') return;
    expect(outcome.error.retryAfterMs).toBeGreaterThan(110_000);
    expect(outcome.error.retryAt).toBeGreaterThan(Date.now() + 110_000);
    expect(outcome.error.message).toMatch(/Send again in 2 minutes/);
  });

  it('a short 429 is retried once automatically, after the wait it asked for', async () => {
    server.setMode('rate-limited', { retryAfter: '1', times: 1 });
    const before = server.chatRequests().length;
    const { outcome, events } = await send({}, { maxAutoRetryWaitMs: 2000 });
    expect(outcome.ok).toBe(true);
    expect(events.find((event) => event.type === 'retry-wait')).toEqual({ type: 'retry-wait', waitMs: 1000 });
    expect(server.chatRequests().length).toBe(before + 2);
    if (outcome.ok) expect(outcome.timings.waitedMs).toBeGreaterThanOrEqual(950);
  });

  it('a second 429 after the retry is reported, not retried again', async () => {
    server.setMode('rate-limited', { retryAfter: '1', times: 2 });
    const before = server.chatRequests().length;
    const { outcome } = await send({}, { maxAutoRetryWaitMs: 2000 });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'rate-limited' } });
    expect(server.chatRequests().length).toBe(before + 2);
  });

  it('a wrong key is rejected by a server that checks it, and the echoed key is redacted', async () => {
    const guarded = await startOpenAiTestServer({ apiKey: 'the-right-key-0000' });
    try {
      const outcome = await sendRemoteChat(chatRequest({ endpoint: { presetId: 'custom', baseUrl: guarded.url, apiKey: KEY } }));
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
      expect(guarded.requests[0]!.rawBody).not.toContain(KEY);
      if (!outcome.ok && outcome.error.kind === 'auth') {
        expect(outcome.error.detail).toContain('[redacted]');
        expect(JSON.stringify(outcome)).not.toContain(KEY);
      }
    } finally {
      await guarded.close();
    }
  });

  it('nothing is logged, let alone the key', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
    try {
      for (const mode of ['ok', 'unauthorized', 'malformed-json', 'server-error'] as const) {
        server.setMode(mode);
        await send();
      }
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('sendRemoteChat: a server that cannot be reached', () => {
  let closedUrl: string;
  beforeAll(async () => {
    // A port that was free a moment ago: connections to it are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    closedUrl = `http://127.0.0.1:${port}/v1`;
  });

  function browserLike(reachability: 'reachable' | 'unreachable'): RemoteEnvironment & { probes: string[] } {
    const probes: string[] = [];
    return {
      probes,
      pageOrigin: 'http://127.0.0.1:5173',
      isOnline: () => true,
      probeReachability: async (baseUrl) => {
        probes.push(baseUrl);
        return reachability;
      },
      watchPolicyViolations: () => ({ blocked: async () => false, stop: () => undefined }),
      now: () => Date.now(),
    };
  }

  it('in Node: a network error that says to check the server', async () => {
    const { outcome } = await send({ endpoint: { presetId: 'custom', baseUrl: closedUrl, apiKey: KEY } });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'network', fix: null } });
    if (!outcome.ok) {
      expect(outcome.error.message).toMatch(/Could not connect to 127\.0\.0\.1:\d+/);
      expect(outcome.error.message).not.toContain(KEY);
    }
  });

  it('from a page, when the probe cannot reach it either: both causes and the CORS fix', async () => {
    const environment = browserLike('unreachable');
    const { outcome } = await send({ endpoint: { presetId: 'ollama', baseUrl: closedUrl, apiKey: '' } }, { environment });
    expect(environment.probes).toEqual([closedUrl]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'network', offline: false } });
    if (!outcome.ok) expect(outcome.error.message).toMatch(/not reachable.*CORS.*OLLAMA_ORIGINS=http:\/\/127\.0\.0\.1:5173/);
  });

  it('from a page, when the probe reaches it: CORS, with the fix', async () => {
    const { outcome } = await send({ endpoint: { presetId: 'lm-studio', baseUrl: closedUrl, apiKey: '' } }, { environment: browserLike('reachable') });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'cors' } });
    if (!outcome.ok) expect(outcome.error.message).toContain('Enable CORS');
  });

  it("a refused connection is the SDK's APIConnectionError, carrying the platform's reason", async () => {
    const error: unknown = await createSdkClient({ presetId: 'custom', baseUrl: closedUrl, apiKey: '' }, 5000)
      .models.list()
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(readFailure(error)).toEqual({ type: 'connection', cause: expect.stringContaining('ECONNREFUSED') });
  });

  it('an HTTP error is never probed', async () => {
    server.setMode('server-error');
    const environment = browserLike('reachable');
    const { outcome } = await send({}, { environment });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'server', status: 500 } });
    expect(environment.probes).toEqual([]);
  });
});

describe("the SDK's error classes, as it throws them", () => {
  const client = () => createSdkClient({ presetId: 'custom', baseUrl: server.url, apiKey: KEY }, 5000);

  it('an HTTP error is the class for its status, read with its status, headers and the server\'s words', async () => {
    server.setMode('rate-limited', { retryAfter: '7' });
    const error: unknown = await client().models.list().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(readFailure(error)).toMatchObject({ type: 'http', status: 429, detail: 'Rate limit reached for requests.', code: 'rate_limit_exceeded' });

    server.setMode('unauthorized');
    const unauthorized: unknown = await client().models.list().catch((thrown: unknown) => thrown);
    expect(unauthorized).toBeInstanceOf(AuthenticationError);
    expect(readFailure(unauthorized)).toMatchObject({ type: 'http', status: 401, code: 'invalid_api_key' });
  });

  it("the SDK's own timeout is an APIConnectionTimeoutError, read as a timeout", async () => {
    server.setMode('slow', { delayMs: 2000 });
    const error: unknown = await client().models.list({ timeout: 100 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(readFailure(error)).toEqual({ type: 'sdk-timeout' });
  });
});

describe('listRemoteModels', () => {
  it('lists the model ids, sorted', async () => {
    const outcome = await listRemoteModels({ presetId: 'custom', baseUrl: server.url, apiKey: KEY });
    expect(outcome).toEqual({ ok: true, models: ['test-vlm', 'test-vlm-large'] });
    const recorded = server.requests.at(-1)!;
    expect(recorded).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(recorded.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('maps failures like a send', async () => {
    server.setMode('unauthorized');
    const outcome = await listRemoteModels({ presetId: 'custom', baseUrl: server.url, apiKey: KEY });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'auth', status: 401 } });
    expect(JSON.stringify(outcome)).not.toContain(KEY);

    server.setMode('slow', { delayMs: 2000 });
    expect(await listRemoteModels({ presetId: 'custom', baseUrl: server.url, apiKey: '' }, { timeoutMs: 150 })).toMatchObject({
      ok: false,
      error: { kind: 'timeout' },
    });
  });

  it('refuses a required key that is missing before sending', async () => {
    const before = server.requests.length;
    expect(await listRemoteModels({ presetId: 'openai', baseUrl: server.url, apiKey: '' })).toMatchObject({ ok: false, error: { kind: 'config', field: 'apiKey' } });
    expect(server.requests.length).toBe(before);
  });
});
