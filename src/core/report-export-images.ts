import type { HistoryRecord } from './history-record.ts';

/*
 * The picture each case of a report shows, shared by the HTML report (embedded) and the Markdown zip (a file the
 * Markdown links), so a link and the file it points to come from one place.
 */

/** Only well-formed raster data URLs reach a report: a serializer escapes a URL's syntax, not its scheme. */
const RASTER_DATA_URL = /^data:image\/(jpeg|png|webp|gif);base64,([A-Za-z0-9+/]+={0,2})$/;

const EXTENSIONS = { jpeg: 'jpg', png: 'png', webp: 'webp', gif: 'gif' } as const;

export interface ReportImage {
  /** A well-formed raster data URL. */
  dataUrl: string;
  /** 'model': the copy the model saw (≤ 512 px); 'thumbnail': the list's thumbnail, for records without that copy. */
  source: 'model' | 'thumbnail';
  /** Where the zip keeps it, relative to report.md: `images/<case number>-<safe name>.<ext>`. */
  path: string;
  /** Alternative text: the file name and which copy it is. */
  alt: string;
}

/** The best picture of a record (the model's copy, else the thumbnail); null when neither is a raster data URL. */
export function reportImageOf(record: HistoryRecord, caseNumber: number): ReportImage | null {
  const { name, modelImageDataUrl, thumbnailDataUrl } = record.image;
  const candidates = [
    { dataUrl: modelImageDataUrl, source: 'model', alt: `Image: ${name}` },
    { dataUrl: thumbnailDataUrl, source: 'thumbnail', alt: `Thumbnail of ${name}` },
  ] as const;
  for (const { dataUrl = '', source, alt } of candidates) {
    const match = RASTER_DATA_URL.exec(dataUrl);
    if (!match) continue;
    const extension = EXTENSIONS[match[1] as keyof typeof EXTENSIONS];
    return { dataUrl, source, alt: alt.replace(/\s+/g, ' ').trim(), path: `images/${caseNumber}-${safeFileStem(name.replace(/\.[A-Za-z0-9]{1,5}$/, ''), 'image')}.${extension}` };
  }
  return null;
}

/** The bytes of a base64 data URL that reportImageOf() accepted. */
export function dataUrlBytes(dataUrl: string): Uint8Array {
  const binary = atob(dataUrl.slice(dataUrl.indexOf(',') + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * A name that is safe as part of a file name anywhere: lower-case ASCII letters, digits and single hyphens, at
 * most `maxLength` characters; `fallback` when nothing is left (a name in another script, say).
 */
export function safeFileStem(name: string, fallback: string, maxLength = 40): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = stem.slice(0, maxLength).replace(/-+$/, '');
  return cut || fallback;
}
