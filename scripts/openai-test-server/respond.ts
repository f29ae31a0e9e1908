import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { echoAnswer, streamAnswer } from './chat-stream.ts';
import type { ModeOptions, OpenAiTestServerMode, OpenAiTestServerOptions } from './config.ts';
import { sendError, sendJson, sendText, trackClose } from './http.ts';
import type { ChatBody, RecordedRequest } from './recorded-request.ts';

const ALLOWED_REQUEST_HEADERS = 'authorization, content-type';
const EXPOSED_RESPONSE_HEADERS = 'retry-after, retry-after-ms, x-request-id';

export interface ResponderOptions extends OpenAiTestServerOptions {
  models: string[];
}

/** Answers one request as an OpenAI-compatible server in `mode` would. */
export async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  request: RecordedRequest,
  mode: OpenAiTestServerMode,
  modeOptions: ModeOptions,
  options: ResponderOptions,
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
