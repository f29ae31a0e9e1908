import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_TEST_MODELS, type ModeOptions, type OpenAiTestServerMode, type OpenAiTestServerOptions } from './config.ts';
import { readBody } from './http.ts';
import { recordRequest, type RecordedRequest } from './recorded-request.ts';
import { respond } from './respond.ts';

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
      const recorded = recordRequest(req, rawBody);
      requests.push(recorded);
      const current = recorded.method === 'OPTIONS' ? { mode, options: modeOptions } : takeMode();
      return respond(req, res, recorded, current.mode, current.options, { ...options, models });
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
