import { strFromU8, unzipSync } from 'fflate';
import type { Image, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { describe, expect, it } from 'vitest';
import { dataUrlBytes, reportImageOf, safeFileStem } from '../../src/core/report-export-images.ts';
import { exportHistoryMarkdownZip, MARKDOWN_REPORT_PATH } from '../../src/core/report-export-zip.ts';
import { EXPORTED_AT, JPEG_DATA_URL, PNG_DATA_URL, bridge, fallback, kitchen } from '../support/report-records.ts';

function imagesOf(tree: Root): Image[] {
  const found: Image[] = [];
  const visit = (node: Root['children'][number] | Root) => {
    if (node.type === 'image') found.push(node);
    if ('children' in node) (node.children as Root['children']).forEach(visit);
  };
  visit(tree);
  return found;
}

const base64Of = (dataUrl: string) => dataUrl.slice(dataUrl.indexOf(',') + 1);

describe('exportHistoryMarkdownZip', () => {
  const sameName = { ...kitchen, id: 'kitchen-2', image: { ...kitchen.image, name: 'bridge.png' } };
  const zip = exportHistoryMarkdownZip([bridge, kitchen, fallback, sameName], { exportedAt: EXPORTED_AT });
  const files = unzipSync(zip);
  const markdown = strFromU8(files[MARKDOWN_REPORT_PATH]!);

  it('holds the Markdown report and one image per case, and nothing else', () => {
    expect(Object.keys(files).sort()).toEqual(['images/1-bridge.png', 'images/2-kitchen.jpg', 'images/3-fallback.jpg', 'images/4-bridge.jpg', 'report.md']);
    expect(markdown.startsWith('# VLMGuard rewrite report\n\nExported 2026-11-28 21:46 UTC · 4 rewrites')).toBe(true);
    expect(markdown).not.toContain('data:');
    expect(markdown).not.toContain('base64');
  });

  it('links every image to a file in the zip holding exactly the stored picture', () => {
    const links = imagesOf(fromMarkdown(markdown));
    expect(links.map((image) => [image.url, image.alt])).toEqual([
      ['images/1-bridge.png', 'Image: bridge.png'],
      ['images/2-kitchen.jpg', 'Thumbnail of kitchen.png'],
      ['images/3-fallback.jpg', 'Thumbnail of fallback.png'],
      ['images/4-bridge.jpg', 'Thumbnail of bridge.png'],
    ]);
    for (const { url } of links) expect(files[url]).toBeDefined();
    // The model's copy (a PNG here) where the record has one, else the thumbnail, byte for byte.
    expect(Buffer.from(files['images/1-bridge.png']!).toString('base64')).toBe(base64Of(PNG_DATA_URL));
    expect(Buffer.from(files['images/2-kitchen.jpg']!).toString('base64')).toBe(base64Of(JPEG_DATA_URL));
    expect([...files['images/1-bridge.png']!.slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect([...files['images/2-kitchen.jpg']!.slice(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });

  it('is the same bytes for the same export', () => {
    expect(exportHistoryMarkdownZip([bridge, kitchen], { exportedAt: EXPORTED_AT })).toEqual(exportHistoryMarkdownZip([bridge, kitchen], { exportedAt: EXPORTED_AT }));
  });

  it('leaves out a picture that is not a well-formed raster data URL, and links none for it', () => {
    const hostile = { ...kitchen, image: { ...kitchen.image, thumbnailDataUrl: 'data:image/svg+xml;base64,PHN2Zz4=' } };
    const only = unzipSync(exportHistoryMarkdownZip([hostile], { exportedAt: EXPORTED_AT }));
    expect(Object.keys(only)).toEqual(['report.md']);
    expect(strFromU8(only['report.md']!)).not.toContain('![');
  });

  it('holds only the report for an empty history', () => {
    const empty = unzipSync(exportHistoryMarkdownZip([], { exportedAt: EXPORTED_AT }));
    expect(Object.keys(empty)).toEqual(['report.md']);
    expect(strFromU8(empty['report.md']!)).toContain('No rewrites in history.');
  });
});

describe('report images', () => {
  it('names image files with safe characters only, whatever the image was called', () => {
    const named = (name: string) => reportImageOf({ ...kitchen, image: { ...kitchen.image, name } }, 7)?.path;
    expect(named('Photo 2026-11-28 (1).JPEG')).toBe('images/7-photo-2026-11-28-1.jpg');
    expect(named('../../../etc/passwd')).toBe('images/7-etc-passwd.jpg');
    expect(named('Übergröße.webp')).toBe('images/7-ubergro-e.jpg');
    expect(named('图像.png')).toBe('images/7-image.jpg');
    expect(safeFileStem('a'.repeat(100), 'x')).toHaveLength(40);
  });

  it('decodes a data URL to its bytes', () => {
    expect([...dataUrlBytes('data:image/png;base64,AAEC/w==')]).toEqual([0, 1, 2, 255]);
  });
});
