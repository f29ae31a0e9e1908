import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectImage, type ImageInspection } from './lib/inspect-image.ts';

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

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Path with the query. */
  url: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawBody: string;
  /** The parsed JSON body; null when empty or not JSON. */
  body: unknown;
}

export interface OpenAiTestServer {
  /** Base URL for the client, ending in /v1. */
  url: string;
  origin: string;
  /** Every request, preflights included, in arrival order. */
  requests: RecordedRequest[];
  setMode(mode: OpenAiTestServerMode, options?: ModeOptions): void;
  readonly mode: OpenAiTestServerMode;
  /** The recorded POST /v1/chat/completions requests. */
  chatRequests(): RecordedRequest[];
  close(): Promise<void>;
}

export interface ReceivedImage extends ImageInspection {
  mimeType: string;
  bytes: Buffer;
}

export const DEFAULT_TEST_MODELS = ['test-vlm', 'test-vlm-large'];

const ALLOWED_REQUEST_HEADERS = 'authorization, content-type';
const EXPOSED_RESPONSE_HEADERS = 'retry-after, retry-after-ms, x-request-id';

/** Starts an OpenAI-compatible server on 127.0.0.1 and a free port. */
export async function startOpenAiTestServer(options: OpenAiTestServerOptions = {}): Promise<OpenAiTestServer> {
  const models = options.models ?? DEFAULT_TEST_MODELS;
  const requests: RecordedRequest[] = [];
  let mode: OpenAiTestServerMode = 'ok';
  let modeOptions: ModeOptions = {};
  let remaining = Infinity;
  const sockets = new Set<Socket>();

  /** The mode for this request; counts it against `times`. */
  const takeMode = (): { mode: OpenAiTestServerMode; options: ModeOptions } => {
    const current = { mode, options: modeOptions };
    if (mode !== 'ok' && --remaining <= 0) {
      mode = 'ok';
      modeOptions = {};
      remaining = Infinity;
    }
    return current;
  };

  const server = createServer((req, res) => {
    void readBody(req).then((rawBody) => {
      const url = new URL(req.url ?? '/', 'http://test-server');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        url: req.url ?? '/',
        headers: flattenHeaders(req),
        rawBody,
        body: parseJson(rawBody),
      };
      requests.push(recorded);
      const current = recorded.method === 'OPTIONS' ? { mode, options: modeOptions } : takeMode();
      return handle(req, res, recorded, current.mode, current.options, { ...options, models });
    }).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  const origin = `http://${address}:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
    requests,
    setMode(next, nextOptions = {}) {
      mode = next;
      modeOptions = nextOptions;
      remaining = nextOptions.times ?? Infinity;
    },
    get mode() {
      return mode;
    },
    chatRequests: () => requests.filter((request) => request.method === 'POST' && request.path === '/v1/chat/completions'),
    close: () =>
      new Promise((resolve, reject) => {
        // Slow and streaming responses would hold close() open.
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

interface HandlerOptions extends OpenAiTestServerOptions {
  models: string[];
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  request: RecordedRequest,
  mode: OpenAiTestServerMode,
  modeOptions: ModeOptions,
  options: HandlerOptions,
): Promise<void> {
  const closed = trackClose(res);
  setCorsHeaders(req, res, mode, modeOptions);
  if (request.method === 'OPTIONS') {
    if (mode === 'no-cors') return sendText(res, 403, 'Forbidden');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_REQUEST_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    // Chrome's Private Network Access preflight, for pages on a public origin calling this loopback server.
    if (req.headers['access-control-request-private-network'] === 'true') res.setHeader('Access-Control-Allow-Private-Network', 'true');
    res.writeHead(204);
    return void res.end();
  }

  const route =
    request.method === 'GET' && request.path === '/v1/models'
      ? 'models'
      : request.method === 'POST' && request.path === '/v1/chat/completions'
        ? 'chat'
        : null;
  if (!route) return sendError(res, 404, `Unknown request: ${request.method} ${request.path}`, 'invalid_request_error', 'not_found');

  if (mode === 'slow') {
    await delay(modeOptions.delayMs ?? 5000);
    if (closed()) return;
  }
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  if (mode === 'unauthorized' || (options.apiKey && bearer !== options.apiKey)) {
    // Echoes the key it got, as careless servers do: the client must keep it out of its messages.
    return sendError(res, 401, `Incorrect API key provided: ${bearer ?? '(none)'}.`, 'invalid_request_error', 'invalid_api_key');
  }
  if (mode === 'forbidden') return sendError(res, 403, 'This key is not allowed to use this model.', 'invalid_request_error', 'model_access_denied');
  if (mode === 'rate-limited') {
    const retryAfter = modeOptions.retryAfter === undefined ? '1' : modeOptions.retryAfter;
    if (retryAfter !== null) res.setHeader('Retry-After', retryAfter);
    return sendError(res, 429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded');
  }
  if (mode === 'server-error') return sendError(res, 500, 'The server had an error while processing your request.', 'server_error', null);
  if (mode === 'unavailable') {
    if (modeOptions.retryAfter) res.setHeader('Retry-After', modeOptions.retryAfter);
    return sendError(res, 503, 'The model is loading.', 'server_error', null);
  }

  if (route === 'models') {
    return sendJson(res, 200, { object: 'list', data: options.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'test' })) });
  }

  if (mode === 'payload-too-large' || (options.maxBodyBytes !== undefined && Buffer.byteLength(request.rawBody) > options.maxBodyBytes)) {
    // Proxies (nginx) answer 413 with an HTML page, not JSON.
    res.writeHead(413, { 'Content-Type': 'text/html' });
    return void res.end('<html><head><title>413 Request Entity Too Large</title></head><body><h1>413 Request Entity Too Large</h1></body></html>');
  }
  const body = request.body as ChatBody | null;
  if (!body || !Array.isArray(body.messages)) return sendError(res, 400, 'The body must be JSON with a "messages" array.', 'invalid_request_error', null);
  const model = typeof body.model === 'string' ? body.model : '';
  if (mode === 'model-not-found' || !options.models.includes(model)) {
    return sendError(res, 404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found');
  }
  if (mode === 'not-sse') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    return void res.end('<!doctype html><html><body>Welcome to a web app, not an API</body></html>');
  }

  const answer = echoAnswer(request, model);
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
    });
  }
  await streamAnswer(res, closed, answer, model, body, mode, mode === 'slow-stream' ? (modeOptions.delayMs ?? 300) : (options.chunkDelayMs ?? 5));
}

interface ChatBody {
  model?: unknown;
  messages: Array<{ role?: unknown; content?: unknown }>;
  stream?: unknown;
  stream_options?: { include_usage?: unknown };
}

async function streamAnswer(
  res: ServerResponse,
  closed: () => boolean,
  answer: string,
  model: string,
  body: ChatBody,
  mode: OpenAiTestServerMode,
  chunkDelayMs: number,
): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Request-Id': 'req-test' });
  const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model };
  const pieces = answer.match(/\S+\s*/g) ?? [answer];
  const events: string[] = [JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })];
  for (const piece of pieces) events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }));
  if (mode !== 'no-finish-reason') events.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  if (body.stream_options?.include_usage === true) {
    const promptTokens = promptText(body).split(/\s+/).filter(Boolean).length;
    events.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length } }));
  }
  events.push('[DONE]');

  for (const [index, data] of events.entries()) {
    if (closed()) return;
    if (index === 3 && mode === 'malformed-json') {
      res.write('data: {"choices": [{"delta": {"content": "unterminated\n\n');
      return void res.end();
    }
    if (index === 3 && mode === 'drop-mid-stream') {
      res.socket?.destroy();
      return;
    }
    const sent = mode === 'missing-choices' && data !== '[DONE]' ? JSON.stringify({ ...base, note: 'no choices here' }) : data;
    res.write(`data: ${sent}\n\n`);
    if (index < events.length - 1) await delay(chunkDelayMs);
  }
  res.end();
}

/** A deterministic answer that shows what arrived: the prompt's first words and the image, if any. */
function echoAnswer(request: RecordedRequest, model: string): string {
  const words = promptText(request.body as ChatBody).split(/\s+/).filter(Boolean);
  const quoted = words.slice(0, 8).join(' ') + (words.length > 8 ? ' …' : '');
  const images = imagesInRequest(request);
  const image = images[0]
    ? `image received: ${images[0].format.toUpperCase()} ${images[0].width}x${images[0].height}, ${images[0].bytes.length} bytes`
    : 'no image received';
  return `Echo from ${model}: "${quoted}" (${image}).`;
}

function promptText(body: ChatBody | null): string {
  const texts: string[] = [];
  for (const message of body?.messages ?? []) {
    if (typeof message.content === 'string') texts.push(message.content);
    else if (Array.isArray(message.content)) {
      for (const part of message.content as Array<{ type?: unknown; text?: unknown }>) {
        if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      }
    }
  }
  return texts.join(' ');
}

/** The images of a recorded chat request, decoded from their data URLs and inspected (size, EXIF, trailing bytes). */
export function imagesInRequest(request: RecordedRequest): ReceivedImage[] {
  const images: ReceivedImage[] = [];
  const body = request.body as ChatBody | null;
  for (const message of body?.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content as Array<{ type?: unknown; image_url?: { url?: unknown } }>) {
      const url = part.type === 'image_url' ? part.image_url?.url : undefined;
      const decoded = typeof url === 'string' ? decodeDataUrl(url) : null;
      if (decoded) images.push({ ...decoded, ...inspectImage(decoded.bytes) });
    }
  }
  return images;
}

export function decodeDataUrl(url: string): { mimeType: string; bytes: Buffer } | null {
  const match = /^data:([^;,]+)((?:;[^;,]+)*?)(;base64)?,(.*)$/s.exec(url);
  if (!match) return null;
  const [, mimeType, , base64, data] = match as unknown as [string, string, string, string | undefined, string];
  return { mimeType, bytes: base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data)) };
}

function setCorsHeaders(req: IncomingMessage, res: ServerResponse, mode: OpenAiTestServerMode, options: ModeOptions): void {
  if (mode === 'no-cors') {
    if (options.corp !== false) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    return;
  }
  res.setHeader('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_RESPONSE_HEADERS);
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

function sendError(res: ServerResponse, status: number, message: string, type: string, code: string | null): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}

function trackClose(res: ServerResponse): () => boolean {
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  return () => closed || res.destroyed;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const models = argument('--models')?.split(',');
  const server = await startOpenAiTestServer({
    port: Number(argument('--port') ?? 8787),
    host: argument('--host') ?? '127.0.0.1',
    apiKey: argument('--api-key') ?? null,
    ...(models ? { models } : {}),
  });
  const mode = argument('--mode') as OpenAiTestServerMode | undefined;
  if (mode) server.setMode(mode);
  console.log(`OpenAI-compatible test server at ${server.url} (mode: ${server.mode}; models: ${(models ?? DEFAULT_TEST_MODELS).join(', ')})`);
  let logged = 0;
  setInterval(() => {
    for (const request of server.requests.slice(logged)) {
      // Says whether a key came, never what it is.
      const auth = request.headers.authorization ? 'key: yes' : 'key: no';
      const images = request.method === 'POST' ? `, images: ${imagesInRequest(request).length}` : '';
      console.log(`${request.method} ${request.url} (${auth}${images})`);
    }
    logged = server.requests.length;
  }, 200);
}
