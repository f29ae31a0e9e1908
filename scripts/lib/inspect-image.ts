import { imageSize } from 'image-size';

export interface ImageInspection {
  format: 'jpeg' | 'png' | 'unknown';
  width: number | null;
  height: number | null;
  /** An APP1 "Exif" segment (JPEG) or an eXIf chunk (PNG): where cameras put GPS. */
  hasExif: boolean;
  /** An APP1 XMP packet, which can also carry location. */
  hasXmp: boolean;
  /** Bytes after the end-of-image marker: data smuggled behind the picture. */
  trailingBytes: number;
}

/**
 * Reads the size (as stored, from the header, with the image-size library the app's image check uses) and the
 * metadata markers of a JPEG or PNG, without decoding pixels.
 */
export function inspectImage(bytes: Uint8Array): ImageInspection {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { ...inspectJpeg(bytes), ...headerSize(bytes) };
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return { ...inspectPng(bytes), ...headerSize(bytes) };
  return { format: 'unknown', width: null, height: null, hasExif: false, hasXmp: false, trailingBytes: 0 };
}

function headerSize(bytes: Uint8Array): { width: number | null; height: number | null } {
  try {
    const { width, height } = imageSize(bytes);
    return { width, height };
  } catch {
    return { width: null, height: null };
  }
}

function inspectJpeg(bytes: Uint8Array): ImageInspection {
  const result: ImageInspection = { format: 'jpeg', width: null, height: null, hasExif: false, hasXmp: false, trailingBytes: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return result;
    const marker = view.getUint8(offset + 1);
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      result.trailingBytes = bytes.length - (offset + 2);
      return result;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    const segment = bytes.subarray(offset + 4, offset + 2 + length);
    if (marker === 0xe1) {
      const head = new TextDecoder('latin1').decode(segment.subarray(0, 29));
      if (head.startsWith('Exif\0')) result.hasExif = true;
      if (head.startsWith('http://ns.adobe.com/xap/1.0/')) result.hasXmp = true;
    }
    offset += 2 + length;
    if (marker === 0xda) offset = skipEntropyCodedData(bytes, offset);
  }
  return result;
}

/** Entropy-coded data escapes 0xFF as FF00 and uses FFD0–FFD7 for restarts; any other FFxx is the next marker. */
function skipEntropyCodedData(bytes: Uint8Array, start: number): number {
  for (let index = start; index + 1 < bytes.length; index += 1) {
    if (bytes[index] !== 0xff) continue;
    const next = bytes[index + 1] ?? 0;
    if (next !== 0x00 && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) return index;
  }
  return bytes.length;
}

function inspectPng(bytes: Uint8Array): ImageInspection {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const result: ImageInspection = { format: 'png', width: null, height: null, hasExif: false, hasXmp: false, trailingBytes: 0 };
  let offset = 8;
  while (offset + 12 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = new TextDecoder('latin1').decode(bytes.subarray(offset + 4, offset + 8));
    if (type === 'eXIf') result.hasExif = true;
    if (type === 'iTXt' && new TextDecoder('latin1').decode(bytes.subarray(offset + 8, offset + 25)) === 'XML:com.adobe.xmp') result.hasXmp = true;
    offset += 12 + length;
    if (type === 'IEND') {
      result.trailingBytes = bytes.length - offset;
      break;
    }
  }
  return result;
}
