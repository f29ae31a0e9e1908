import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../scripts/lib/inspect-image.ts';
import { decodeDataUrl, imagesInRequest, startOpenAiTestServer, type OpenAiTestServer } from '../../scripts/openai-test-server.ts';

const PAGE = 'http://127.0.0.1:5173';
let server: OpenAiTestServer;

beforeAll(async () => {
  server = await startOpenAiTestServer();
});
afterAll(() => server.close());
afterEach(() => server.setMode('ok'));

const preflight = (path: string) =>
  fetch(`${server.origin}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: PAGE, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
  });

const chat = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { Origin: PAGE, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('the OpenAI-compatible test server', () => {
  it('serves the base URL under /v1 on 127.0.0.1 and lists its models', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const response = await fetch(`${server.url}/models`);
    expect(await response.json()).toMatchObject({ object: 'list', data: [{ id: 'test-vlm' }, { id: 'test-vlm-large' }] });
  });

  it('answers CORS preflights and sends CORS and CORP headers in normal mode', async () => {
    const response = await preflight('/v1/chat/completions');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    const answer = await chat({ model: 'test-vlm', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(answer.headers.get('access-control-expose-headers')).toContain('retry-after');
    expect(answer.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('in no-cors mode refuses preflights and omits CORS headers (CORP stays, so a no-cors probe sees the server)', async () => {
    server.setMode('no-cors');
    const refused = await preflight('/v1/chat/completions');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await chat({ model: 'test-vlm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(answer.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    server.setMode('no-cors', { corp: false });
    expect((await fetch(`${server.url}/models`)).headers.get('cross-origin-resource-policy')).toBeNull();
  });

  it('streams SSE events ending in [DONE], echoing the prompt and the image', async () => {
    const jpeg = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#336699' } }).jpeg().toBuffer();
    const response = await chat({
      model: 'test-vlm',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What colour is this?' }, { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } }] }],
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.length).toBeGreaterThan(5);
    expect(events.at(-1)).toBe('data: [DONE]');
    const text = events
      .slice(0, -1)
      .map((event) => JSON.parse(event.slice('data: '.length)) as { choices: Array<{ delta: { content?: string } }> })
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe(`Echo from test-vlm: "What colour is this?" (image received: JPEG 30x20, ${jpeg.length} bytes).`);
  });

  it('applies a mode for `times` requests, then answers normally again', async () => {
    server.setMode('server-error', { times: 1 });
    expect((await fetch(`${server.url}/models`)).status).toBe(500);
    expect(server.mode).toBe('ok');
    expect((await fetch(`${server.url}/models`)).status).toBe(200);
  });

  it('sends retry-after with 429s', async () => {
    server.setMode('rate-limited', { retryAfter: '7' });
    const response = await chat({ model: 'test-vlm', messages: [] });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('records method, path, headers and the parsed body', async () => {
    await chat({ model: 'test-vlm', messages: [{ role: 'user', content: 'recorded?' }] }, { Authorization: 'Bearer abc' });
    const recorded = server.chatRequests().at(-1)!;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/chat/completions', headers: { authorization: 'Bearer abc', origin: PAGE } });
    expect(recorded.body).toEqual({ model: 'test-vlm', messages: [{ role: 'user', content: 'recorded?' }] });
  });
});

describe('received-image helpers', () => {
  it('decodes data URLs', () => {
    expect(decodeDataUrl('data:image/png;base64,AAEC')).toEqual({ mimeType: 'image/png', bytes: Buffer.from([0, 1, 2]) });
    expect(decodeDataUrl('https://example.com/a.png')).toBeNull();
  });

  it('sees EXIF GPS, size and bytes appended after the JPEG', async () => {
    const withGps = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'TestCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .toBuffer();
    expect(inspectImage(withGps)).toMatchObject({ format: 'jpeg', width: 120, height: 80, hasExif: true, trailingBytes: 0 });
    expect(withGps.includes(Buffer.from('TestCam'))).toBe(true);

    const appended = Buffer.from('PK\u0003\u0004secret archive');
    expect(inspectImage(Buffer.concat([withGps, appended])).trailingBytes).toBe(appended.length);

    const clean = await sharp(withGps).jpeg().toBuffer();
    expect(inspectImage(clean)).toMatchObject({ hasExif: false, hasXmp: false, trailingBytes: 0, width: 120, height: 80 });
  });

  it('reads PNG sizes and finds images inside recorded requests', async () => {
    const png = await sharp({ create: { width: 9, height: 7, channels: 4, background: '#00000000' } }).png().toBuffer();
    expect(inspectImage(png)).toMatchObject({ format: 'png', width: 9, height: 7, trailingBytes: 0 });
    const [image] = imagesInRequest({
      method: 'POST',
      path: '/v1/chat/completions',
      url: '/v1/chat/completions',
      headers: {},
      rawBody: '',
      body: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }] }] },
    });
    expect(image).toMatchObject({ mimeType: 'image/png', format: 'png', width: 9, height: 7 });
    expect(image!.bytes.equals(png)).toBe(true);
  });
});
