import { inspectImage, type ImageInspection } from '../lib/inspect-image.ts';
import type { ChatBody, RecordedRequest } from './recorded-request.ts';

export interface ReceivedImage extends ImageInspection {
  mimeType: string;
  bytes: Buffer;
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
