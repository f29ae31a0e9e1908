/**
 * The one image check, for the page, the rewriter worker and the command line: bytes in, a verdict out. The type
 * comes from the bytes (the declared type can only refuse), the size from the header, before anything is decoded.
 */
import { imageSize } from 'image-size';
import {
  checkImageFile,
  checkImageSize,
  notAnImageMessage,
  svgMessage,
  undecodableMessage,
  type ImageFileCheck,
} from './image-file-check.ts';
import type { ImageSize } from './rewriter-api.ts';

export type AcceptedImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

export interface CheckedImage {
  format: AcceptedImageFormat;
  mimeType: `image/${AcceptedImageFormat}`;
  /** As a browser shows it: a JPEG's EXIF orientation applied (a quarter turn swaps the sides). */
  size: ImageSize;
  /**
   * False for a PNG with an eXIf chunk, whose orientation Chromium applies but the header reader does not see: a
   * decoder must then measure the upright size itself.
   */
  orientationKnown: boolean;
}

export type ImageCheck = { ok: true; image: CheckedImage } | { ok: false; message: string };

/** How a nameless image is called in messages (a Blob handed to the engine by a script). */
export const UNNAMED_IMAGE = 'The image';

/** image-size's names for the formats it reads, where they differ from ours. */
const HEADER_FORMATS: Record<string, AcceptedImageFormat> = { png: 'png', jpg: 'jpeg', webp: 'webp', gif: 'gif', bmp: 'bmp' };

/** The type a browser gives a picked file by its extension; the command line and nameless Blobs have none. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  jfif: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  svgz: 'image/svg+xml',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  avif: 'image/avif',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

export function typeFromFileName(name: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? '';
}

/**
 * Checks an image file from its name, declared type (a browser's `File.type`; '' for none) and bytes. Pure and
 * synchronous; reads headers only, never pixels.
 */
export function checkImage(file: { name: string; type: string }, bytes: Uint8Array): ImageCheck {
  const before = checkImageFile({ ...file, size: bytes.byteLength });
  if (!before.ok) return before;
  if (looksLikeSvg(bytes)) return { ok: false, message: svgMessage(file.name) };

  const header = readHeader(bytes);
  if (!header) {
    const declaresImage = file.type.startsWith('image/');
    return { ok: false, message: declaresImage ? undecodableMessage(file.name) : notAnImageMessage(file.name, 'an unknown type') };
  }
  const format = HEADER_FORMATS[header.type];
  if (!format) return { ok: false, message: notAnImageMessage(file.name, `image/${header.type}`) };

  const stored = { width: header.width, height: header.height };
  const sizeCheck: ImageFileCheck = checkImageSize(file.name, stored);
  if (!sizeCheck.ok) return sizeCheck;
  // EXIF orientations 5–8 are quarter turns.
  const turned = (header.orientation ?? 1) >= 5 && (header.orientation ?? 1) <= 8;
  return {
    ok: true,
    image: {
      format,
      mimeType: `image/${format}`,
      size: turned ? { width: stored.height, height: stored.width } : stored,
      orientationKnown: format !== 'png' || !pngHasExif(bytes),
    },
  };
}

/**
 * The check on a Blob or File: what its size alone refuses is refused without reading it; otherwise its bytes are
 * read once (at most MAX_IMAGE_BYTES). A File's own name and type are used; `name` names a Blob.
 */
export async function checkImageBlob(blob: Blob, name?: string): Promise<ImageCheck> {
  const fileName = name ?? (typeof File !== 'undefined' && blob instanceof File && blob.name ? blob.name : UNNAMED_IMAGE);
  const type = blob.type || typeFromFileName(fileName);
  const before = checkImageFile({ name: fileName, type, size: blob.size });
  if (!before.ok) return before;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await blob.arrayBuffer());
  } catch {
    return { ok: false, message: undecodableMessage(fileName) };
  }
  return checkImage({ name: fileName, type }, bytes);
}

interface Header {
  type: string;
  width: number;
  height: number;
  orientation?: number;
}

/** The format and stored size from the header (image-size reads only the bytes it needs); null when unreadable. */
function readHeader(bytes: Uint8Array): Header | null {
  try {
    const { type, width, height, orientation } = imageSize(bytes);
    if (type === undefined || !Number.isFinite(width) || !Number.isFinite(height)) return null;
    return { type, width, height, ...(orientation !== undefined ? { orientation } : {}) };
  } catch {
    return null;
  }
}

/**
 * An XML or SVG text with an <svg> element near the start, whatever the file is called: browsers and sharp would
 * render it (scripts included, in some contexts), so it is refused before any decoder sees it.
 */
function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<') && /<svg[\s>/]/i.test(head);
}

/** Whether a PNG has an eXIf chunk before its image data (where decoders look for an orientation). */
function pngHasExif(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder('latin1');
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const type = latin1.decode(bytes.subarray(offset + 4, offset + 8));
    if (type === 'eXIf') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + view.getUint32(offset);
  }
  return false;
}
