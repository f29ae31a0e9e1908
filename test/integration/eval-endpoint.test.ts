import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointClient, EndpointAuthError, ImageDataUrls, SENT_IMAGE_MAX_SIDE, type RetryPolicy } from '../../scripts/eval/endpoint.ts';
import type { EndpointSpec } from '../../scripts/eval/eval-types.ts';
import { startScriptedServer, type ScriptedServer, type ScriptedServerOptions } from '../../scripts/eval/scripted-server.ts';
import { userTurn } from '../../scripts/eval/eval-calls.ts';
import { startOpenAiTestServer } from '../../scripts/openai-test-server.ts';

const FAST_RETRIES: RetryPolicy = { retries: 3, minBackoffMs: 20, maxBackoffMs: 100, maxRetryAfterMs: 5000 };
let dir: string;
let image: string;
let server: ScriptedServer | null = null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eval-endpoint-'));
  image = path.join(dir, 'wide.png');
  await sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#336699' } }).png().toFile(image);
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(async () => {
  await server?.close();
  server = null;
});

async function clientFor(options: ScriptedServerOptions, spec: Partial<EndpointSpec> = {}, extra: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}) {
  server = await startScriptedServer(options);
  const full: EndpointSpec = { name: 'tgt', baseURL: server.url, model: 'target-a', concurrency: 2, requestsPerMinute: null, pricing: null, ...spec };
  return createEndpointClient(full, { images: new ImageDataUrls(), timeoutMs: extra.timeoutMs ?? 5000, retry: FAST_RETRIES, ...(extra.env ? { env: extra.env } : {}) });
}

const ask = { messages: userTurn('What is shown here?', true), maxTokens: 50 };

describe('the endpoint client', () => {
  it('sends the image once-encoded as a JPEG data URL no larger than 1024 px, and reads the answer and usage', async () => {
    const client = await clientFor({});
    const answer = await client.chat({ ...ask, image });
    expect(answer).toMatchObject({ text: expect.stringContaining('scripted helpful answer'), finishReason: 'stop', scripted: true });
    expect(answer.usage?.completionTokens).toBeGreaterThan(0);
    const parts = (server!.requests[0]!.body['messages'] as Array<{ content: Array<{ type: string; image_url?: { url: string } }> }>)[0]!.content;
    const url = parts.find((part) => part.type === 'image_url')!.image_url!.url;
    expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
    const meta = await sharp(Buffer.from(url.split(',')[1]!, 'base64')).metadata();
    expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(SENT_IMAGE_MAX_SIDE);
    expect(meta.format).toBe('jpeg');
  });

  it('retries a 500 with backoff and gets the answer', async () => {
    const client = await clientFor({ failEvery: 2 });
    await client.chat({ ...ask, image });
    const answer = await client.chat({ ...ask, image });
    expect(answer.text).toContain('scripted');
    expect(server!.requests.map((request) => request.status)).toEqual([200, 500, 200]);
  });

  it('waits what Retry-After asks after a 429 before trying again', async () => {
    const client = await clientFor({ rateLimitEvery: 2 });
    await client.chat({ ...ask, image });
    const started = Date.now();
    await client.chat({ ...ask, image });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server!.requests.map((request) => request.status)).toEqual([200, 429, 200]);
  });

  it('fails at once on a 401, naming the endpoint and the key variable, and never shows the key a server echoes', async () => {
    // This server echoes the key it got in its 401 message, as careless servers do.
    const echoing = await startOpenAiTestServer({ apiKey: 'right-key', models: ['target-a'] });
    try {
      const spec: EndpointSpec = { name: 'tgt', baseURL: echoing.url, model: 'target-a', apiKeyEnv: 'EVAL_TEST_KEY', concurrency: 1, requestsPerMinute: null, pricing: null };
      const client = createEndpointClient(spec, { images: new ImageDataUrls(), timeoutMs: 5000, retry: FAST_RETRIES, env: { EVAL_TEST_KEY: 'wrong-key-123' } });
      const failure = await client.chat({ ...ask, image }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EndpointAuthError);
      expect(String((failure as Error).message)).toMatch(/tgt .*refused the request \(HTTP 401\): check the key in \$EVAL_TEST_KEY/);
      expect(String((failure as Error).message)).not.toContain('wrong-key-123');
      expect(echoing.chatRequests()).toHaveLength(1);
    } finally {
      await echoing.close();
    }
  });

  it('says the key is missing when the endpoint demands one and none is configured', async () => {
    const client = await clientFor({ apiKey: 'right-key' });
    await expect(client.chat({ ...ask, image })).rejects.toThrow(/refused the request \(HTTP 401\): it needs a key/);
    expect(server!.requests).toHaveLength(1);
  });

  it('does not retry another 4xx (an unknown model)', async () => {
    const client = await clientFor({}, { model: 'no-such-role' });
    await expect(client.chat({ ...ask, image })).rejects.toThrow(/HTTP 404/);
    expect(server!.requests).toHaveLength(1);
  });

  it('times out a slow attempt and retries it, then gives up with the timeout named', async () => {
    const client = await clientFor({ delayMs: 1500 }, {}, { timeoutMs: 200 });
    await expect(client.chat({ ...ask, image })).rejects.toThrow(/tgt .*timed out/i);
    expect(server!.requests).toHaveLength(FAST_RETRIES.retries + 1);
  });

  it('refuses to start when the key variable it names is unset', async () => {
    await expect(clientFor({}, { apiKeyEnv: 'EVAL_TEST_UNSET_KEY' }, { env: {} })).rejects.toThrow('EVAL_TEST_UNSET_KEY');
  });
});
