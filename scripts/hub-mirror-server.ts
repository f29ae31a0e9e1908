import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sendModelFile } from './lib/send-model-file.ts';

export interface MirroredRequest {
  method: string;
  path: string;
  range: string | undefined;
}

export interface HubMirror extends HubMirrorControls {
  /** Base URL to use as the app's hub URL, with a trailing slash. */
  url: string;
  requests: MirroredRequest[];
  close(): Promise<void>;
}

export interface HubMirrorOptions {
  /** A folder in the Hub's layout: <org>/<name>/<files>. */
  root: string;
  host?: string;
  port?: number;
}

export interface HubMirrorControls {
  /** Serve file bodies at this many bytes per second; undefined for full speed. */
  bytesPerSecond: number | undefined;
}

const RESOLVE_PATH = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/;

/**
 * Serves a models folder at the Hugging Face Hub's URLs (/<org>/<name>/resolve/<revision>/<file>),
 * with the Hub's CORS behaviour, so the app's real download path can be exercised offline.
 * Revisions are accepted and ignored: the folder holds one.
 */
export async function startHubMirror(options: HubMirrorOptions): Promise<HubMirror> {
  const requests: MirroredRequest[] = [];
  const controls: HubMirrorControls = { bytesPerSecond: undefined };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mirror');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, range: req.headers.range });
    handle(req, res, url.pathname, options.root, controls.bytesPerSecond).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { address, port } = server.address() as AddressInfo;
  return Object.assign(controls, {
    url: `http://${address}:${port}/`,
    requests,
    close: () => new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  root: string,
  bytesPerSecond: number | undefined,
): Promise<void> {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Accept-Ranges, ETag');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET, HEAD', 'Access-Control-Allow-Headers': 'Range' });
    return void res.end();
  }
  const match = RESOLVE_PATH.exec(pathname);
  if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    return void res.end('Not found');
  }
  const [, org, name, , file] = match as unknown as [string, string, string, string, string];
  await sendModelFile(req, res, root, `${org}/${name}/${file}`, { bytesPerSecond });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      root: { type: 'string', default: fileURLToPath(new URL('../models/', import.meta.url)) },
      'bytes-per-second': { type: 'string' },
    },
  });
  const root = path.resolve(values.root);
  const mirror = await startHubMirror({ root, host: values.host, port: Number(values.port) });
  if (values['bytes-per-second'] !== undefined) mirror.bytesPerSecond = Number(values['bytes-per-second']);
  console.log(`Serving ${root} in the Hub's layout at ${mirror.url}`);
}
