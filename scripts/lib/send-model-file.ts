import { createReadStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.jinja': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves one file below `root` with real 404s (transformers.js treats only 404 as "missing"; an
 * SPA fallback answering index.html breaks optional files), HEAD, and single byte ranges, which
 * the Hub supports and transformers.js uses to read file sizes.
 */
export async function sendModelFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  relativePath: string,
  options: { bytesPerSecond?: number } = {},
): Promise<void> {
  const filePath = path.resolve(root, decodeURIComponent(relativePath));
  if (!filePath.startsWith(path.resolve(root) + path.sep)) return sendStatus(res, 403);
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) return sendStatus(res, 404);

  const size = info.size;
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
    end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void res.end();
    }
    res.statusCode = 206;
    res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  res.setHeader('Content-Type', CONTENT_TYPES[path.extname(filePath)] ?? 'application/octet-stream');
  res.setHeader('Content-Length', end - start + 1);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`);
  if (req.method === 'HEAD') return void res.end();
  const file = createReadStream(filePath, { start, end, highWaterMark: 16 * 1024 });
  if (options.bytesPerSecond) {
    void pipeline(file, throttle(options.bytesPerSecond), res).catch(() => undefined);
  } else {
    file.pipe(res);
  }
}

/** Slows a stream to a byte rate, so tests can act in the middle of a download. */
function throttle(bytesPerSecond: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      setTimeout(() => callback(null, chunk), (chunk.length / bytesPerSecond) * 1000);
    },
  });
}

function sendStatus(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(status === 404 ? 'Not found' : 'Forbidden');
}
