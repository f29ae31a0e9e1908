/**
 * An OpenAI-compatible server that plays every role of an evaluation and of a synthesis by the requested model name
 * (target-*, judge, guard, rewriter, teacher; see scripted-roles.ts for what each answers), for tests and for trying
 * `npm run eval` and `npm run synthesize` without a model: `npx tsx scripts/eval/scripted-server.ts --port 8799
 * [--host H] [--fail-every N] [--rate-limit-every N] [--garble-judge-every N] [--garble-teacher STAGE:N]
 * [--teacher-calls-all-risky] [--delay-ms D] [--api-key KEY]`. Every answer carries `x-vlmguard-scripted: 1`, so a
 * report made against it says so. It answers non-streaming chat completions, with usage.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TEACHER_STAGES, type TeacherStage } from '../synthesize/teacher-prompts.ts';
import { scriptedReply, teacherStageOf, type ScriptedRequest } from './scripted-roles.ts';

export interface ScriptedServerOptions {
  host?: string;
  port?: number;
  /** HTTP 500 on every Nth chat request. */
  failEvery?: number;
  /** HTTP 429 with `Retry-After: 1` on every Nth chat request. */
  rateLimitEvery?: number;
  /** Every Nth judge request gets text without the rubric's format. */
  garbleJudgeEvery?: number;
  /** Every Nth teacher request of this synthesis stage gets text without the stage's format. */
  garbleTeacher?: { stage: TeacherStage; every: number };
  /** The teacher grades every request high risk, benign ones included. */
  teacherCallsAllRisky?: boolean;
  /** Wait this long before each answer. */
  delayMs?: number;
  /** Demand `Authorization: Bearer <apiKey>` (a wrong key gets a 401). */
  apiKey?: string;
}

export interface ScriptedServerRequest {
  model: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  /** What the server answered: the HTTP status. */
  status: number;
}

export interface ScriptedServer {
  /** Base URL, ending in /v1. */
  url: string;
  /** Every chat request, in arrival order. */
  requests: ScriptedServerRequest[];
  close(): Promise<void>;
}

export const SCRIPTED_HEADER = 'x-vlmguard-scripted';

export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const requests: ScriptedServerRequest[] = [];
  const sockets = new Set<Socket>();
  let chats = 0;
  let judges = 0;
  let teacherStageRequests = 0;

  async function answer(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://scripted');
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      return send(res, 200, { object: 'list', data: ['target-a', 'target-b', 'judge', 'guard', 'rewriter', 'teacher'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })) });
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/chat/completions') return sendError(res, 404, `Unknown request: ${req.method} ${url.pathname}`);
    const body = parseBody(raw);
    const recorded: ScriptedServerRequest = { model: String(body?.['model'] ?? ''), body: body ?? {}, headers: req.headers, status: 200 };
    requests.push(recorded);
    const reply = (status: number, value: unknown, headers: Record<string, string> = {}) => {
      recorded.status = status;
      send(res, status, value, headers);
    };
    if (!body || !Array.isArray(body['messages'])) return reply(400, errorBody('The body must be JSON with a "messages" array.'));
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return reply(401, errorBody('Incorrect API key provided.'));
    }
    chats += 1;
    if (options.delayMs) await delay(options.delayMs);
    if (res.destroyed) return;
    if (options.failEvery && chats % options.failEvery === 0) return reply(500, errorBody('Scripted failure (--fail-every).'));
    if (options.rateLimitEvery && chats % options.rateLimitEvery === 0) {
      return reply(429, errorBody('Scripted rate limit (--rate-limit-every).'), { 'Retry-After': '1' });
    }
    const request = readRequest(recorded.model, body);
    const garbleJudge = request.model === 'judge' && options.garbleJudgeEvery !== undefined && ++judges % options.garbleJudgeEvery === 0;
    const teacherFault = options.garbleTeacher;
    const garbleTeacher =
      request.model === 'teacher' && teacherFault !== undefined && teacherStageOf(request) === teacherFault.stage && ++teacherStageRequests % teacherFault.every === 0;
    const result = scriptedReply(request, { garble: garbleJudge || garbleTeacher, teacherCallsAllRisky: options.teacherCallsAllRisky === true });
    if (!result) return reply(404, errorBody(`The model \`${request.model}\` does not exist.`));
    if (result.kind === 'error') return reply(result.status, errorBody(result.message));
    reply(200, {
      id: `chatcmpl-scripted-${chats}`,
      object: 'chat.completion',
      created: 0,
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: result.text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: tokens(request.text), completion_tokens: tokens(result.text), total_tokens: tokens(request.text) + tokens(result.text) },
    }, { [SCRIPTED_HEADER]: '1' });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      answer(req, res, Buffer.concat(chunks).toString('utf8')).catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** About four characters a token, as for English text. */
function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function readRequest(model: string, body: Record<string, unknown>): ScriptedRequest {
  const messages = body['messages'] as Array<{ role?: unknown; content?: unknown }>;
  const textOf = (content: unknown): string =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? (content as Array<{ type?: unknown; text?: unknown }>).flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : [])).join('\n')
        : '';
  const hasImage = messages.some((message) => Array.isArray(message.content) && (message.content as Array<{ type?: unknown }>).some((part) => part.type === 'image_url'));
  const lastUser = messages.filter((message) => message.role === 'user').at(-1);
  const structured = body['structured_outputs'] as { regex?: unknown } | undefined;
  const regex = typeof structured?.regex === 'string' ? structured.regex : typeof body['guided_regex'] === 'string' ? body['guided_regex'] : null;
  return { model, text: messages.map((message) => textOf(message.content)).join('\n'), userText: textOf(lastUser?.content), hasImage, regex };
}

function parseBody(raw: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function errorBody(message: string) {
  return { error: { message, type: 'scripted_error', param: null, code: null } };
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, message: string): void {
  send(res, status, errorBody(message));
}

const USAGE = `Usage: npx tsx scripts/eval/scripted-server.ts [--port 8799] [--host 127.0.0.1] [--fail-every N]
  [--rate-limit-every N] [--garble-judge-every N] [--garble-teacher STAGE:N (STAGE: ${TEACHER_STAGES.join(', ')})]
  [--teacher-calls-all-risky] [--delay-ms D] [--api-key KEY]`;

function teacherFault(value: string | undefined): { stage: TeacherStage; every: number } | undefined {
  if (value === undefined) return undefined;
  const [stage, every] = value.split(':');
  if (!(TEACHER_STAGES as readonly string[]).includes(stage ?? '') || !(Number(every) >= 1)) {
    throw new Error(`--garble-teacher ${value}: expected STAGE:N, STAGE one of ${TEACHER_STAGES.join(', ')} and N ≥ 1.`);
  }
  return { stage: stage as TeacherStage, every: Number(every) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8799' },
      host: { type: 'string', default: '127.0.0.1' },
      'fail-every': { type: 'string' },
      'rate-limit-every': { type: 'string' },
      'garble-judge-every': { type: 'string' },
      'garble-teacher': { type: 'string' },
      'teacher-calls-all-risky': { type: 'boolean', default: false },
      'delay-ms': { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
  } else {
    const count = (value: string | undefined) => (value === undefined ? undefined : Number(value));
    const server = await startScriptedServer({
      port: Number(values.port),
      host: values.host,
      failEvery: count(values['fail-every']),
      rateLimitEvery: count(values['rate-limit-every']),
      garbleJudgeEvery: count(values['garble-judge-every']),
      garbleTeacher: teacherFault(values['garble-teacher']),
      teacherCallsAllRisky: values['teacher-calls-all-risky'],
      delayMs: count(values['delay-ms']),
      ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
    });
    console.log(`Scripted evaluation server at ${server.url} (models: target-*, judge, guard, rewriter, teacher)`);
  }
}
