// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageTextReading } from '../../src/core/image-text.ts';
import type { ImageTextReader } from '../../src/engine/image-text-reader.ts';
import { createNodeImageTextReader } from '../../scripts/lib/node-ocr.ts';
import { planTestSet, REPORT_SEED, type TestCase } from '../../scripts/ocr-test-set/cases.ts';
import { renderCase, type RenderedCase } from '../../scripts/ocr-test-set/render.ts';
import { normalizedWords, recallOf, wordRecall } from '../../scripts/ocr-test-set/word-recall.ts';

// The app's OCR (PP-OCRv4 on onnxruntime-node) on a few images of the typographic test set, rendered here, and on
// the typographic demo image. Nothing here asserts a time.
const TYPOGRAPHIC_DEMO = fileURLToPath(new URL('../../public/demo/typographic-list.png', import.meta.url));
const CASE_IDS = ['figstep-list-01', 'figstep-list-06', 'rotation-06', 'light-on-dark-02', 'photo-05', 'text-free-01'];

const cases = new Map(planTestSet(REPORT_SEED).map((item) => [item.id, item]));
let reader: ImageTextReader;
const read = new Map<string, { testCase: TestCase; rendered: RenderedCase; reading: ImageTextReading }>();

beforeAll(async () => {
  reader = await createNodeImageTextReader();
  for (const id of CASE_IDS) {
    const testCase = cases.get(id);
    if (!testCase) throw new Error(`the test set has no ${id}`);
    const rendered = await renderCase(testCase);
    read.set(id, { testCase, rendered, reading: await reader.read(new Blob([new Uint8Array(rendered.png)], { type: 'image/png' })) });
  }
});

afterAll(async () => {
  await reader.dispose();
});

function get(id: string) {
  const entry = read.get(id);
  if (!entry) throw new Error(`${id} was not read`);
  return entry;
}

describe('OCR in Node on the rendered test set', () => {
  it('reads the title of FigStep-style lists, word for word', () => {
    for (const id of ['figstep-list-01', 'figstep-list-06']) {
      const { testCase, reading } = get(id);
      const title = testCase.lines[0]!;
      expect(normalizedWords(title).length).toBeGreaterThan(3);
      const found = reading.lines.map((line) => line.text);
      expect(wordRecall([title], found), `${id}: read ${JSON.stringify(found)}`).toMatchObject({ missing: [] });
      // The whole list, numbers included, ignoring spaces the recogniser may drop.
      expect(recallOf(wordRecall(testCase.lines, found), true), id).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('reads rotated, light-on-dark and photo-backed text', () => {
    for (const id of ['rotation-06', 'light-on-dark-02', 'photo-05']) {
      const { testCase, reading } = get(id);
      const found = reading.lines.map((line) => line.text);
      expect(recallOf(wordRecall(testCase.lines, found)), `${id}: read ${JSON.stringify(found)}`).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('gives each line a confidence and a box of four corners inside the image, around the text', () => {
    for (const id of CASE_IDS.filter((item) => !item.startsWith('text-free'))) {
      const { rendered, reading } = get(id);
      expect(reading.imageSize).toEqual({ width: rendered.width, height: rendered.height });
      expect(reading.lines.length, id).toBeGreaterThan(0);
      const text = rendered.textBox!;
      // Boxes are unclipped around the glyphs: allow a margin of a few pixels beyond the drawn text's bounds.
      const slack = 12;
      for (const line of reading.lines) {
        expect(line.confidence).toBeGreaterThan(0);
        expect(line.confidence).toBeLessThanOrEqual(1);
        expect(line.box).toHaveLength(4);
        for (const point of line.box) {
          expect(point.x).toBeGreaterThanOrEqual(0);
          expect(point.x).toBeLessThanOrEqual(rendered.width);
          expect(point.y).toBeGreaterThanOrEqual(0);
          expect(point.y).toBeLessThanOrEqual(rendered.height);
        }
        const centre = { x: line.box.reduce((sum, p) => sum + p.x, 0) / 4, y: line.box.reduce((sum, p) => sum + p.y, 0) / 4 };
        expect(centre.x, `${id}: "${line.text}"`).toBeGreaterThanOrEqual(text.x - slack);
        expect(centre.x, `${id}: "${line.text}"`).toBeLessThanOrEqual(text.x + text.width + slack);
        expect(centre.y, `${id}: "${line.text}"`).toBeGreaterThanOrEqual(text.y - slack);
        expect(centre.y, `${id}: "${line.text}"`).toBeLessThanOrEqual(text.y + text.height + slack);
        const xs = line.box.map((p) => p.x);
        const ys = line.box.map((p) => p.y);
        // A box holds a line of text: wider than tall, and no taller than the whole text block.
        expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0);
        expect(Math.max(...ys) - Math.min(...ys)).toBeLessThanOrEqual(text.height + 2 * slack);
      }
    }
  });

  it('finds no lines in a photo-like image without text', () => {
    expect(get('text-free-01').reading.lines).toEqual([]);
  });

  it('renders the same image from the same case every time', async () => {
    const { testCase, rendered } = get('rotation-06');
    expect((await renderCase(testCase)).png.equals(rendered.png)).toBe(true);
  });
});

describe('OCR in Node on the typographic demo image', () => {
  it('finds its title', async () => {
    const reading = await reader.read(new Blob([new Uint8Array(await readFile(TYPOGRAPHIC_DEMO))], { type: 'image/png' }));
    const text = reading.lines.map((line) => normalizedWords(line.text).join(' ')).join(' ');
    expect(text, JSON.stringify(reading.lines.map((line) => line.text))).toContain('steps to pick a lock');
  });
});
