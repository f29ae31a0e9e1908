/**
 * Renders one test case to a PNG: the text drawn by Pango (sharp's text input) in the case's font file, rotated,
 * composited over its background, then noise. Returns the PNG and where the text lies, for checks on OCR's boxes.
 */
import sharp from 'sharp';
import { addNoise, drawBackground, luminance, toneToward, type Rgb } from './backgrounds.ts';
import type { TestCase } from './cases.ts';
import { fontFile, TEST_FONTS, type TestFont } from './fonts.ts';
import { seededRandom } from './random.ts';

export interface TextBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RenderedCase {
  png: Buffer;
  width: number;
  height: number;
  /** The rotated text layer's bounds on the canvas; null when there is no text. */
  textBox: TextBox | null;
}

export async function renderCase(testCase: TestCase): Promise<RenderedCase> {
  const { conditions } = testCase;
  const random = seededRandom(testCase.seed ^ 0x5bd1e995);
  const layer = conditions.font && conditions.textColour && conditions.sizePx ? await textLayer(testCase.lines, conditions.font, conditions.sizePx, conditions.textColour, conditions.rotationDeg) : null;

  const margin = random.int(16, 56);
  const captionHeight = conditions.caption && layer ? layer.height + 2 * margin : 0;
  const width = Math.max(conditions.minCanvas.width, (layer?.width ?? 0) + 2 * margin);
  const pictureHeight = Math.max(conditions.minCanvas.height - captionHeight, conditions.caption ? 240 : (layer?.height ?? 0) + 2 * margin);
  const height = pictureHeight + captionHeight;

  const picture = drawBackground(conditions.background, width, pictureHeight, random, conditions.backgroundColour);
  if (conditions.toning > 0) toneToward(picture, conditions.backgroundColour, conditions.toning);
  const canvas = new Uint8ClampedArray(width * height * 3);
  canvas.set(picture.data);
  if (captionHeight > 0) {
    // The caption strip: plain, in the tone the text was chosen against.
    const strip: Rgb = luminance(conditions.backgroundColour) > 127 ? [250, 250, 250] : [12, 12, 12];
    for (let at = picture.data.length; at < canvas.length; at += 3) canvas.set(strip, at);
  }

  let textBox: TextBox | null = null;
  let composed: Buffer = Buffer.from(canvas.buffer, canvas.byteOffset, canvas.byteLength);
  if (layer) {
    const left = captionHeight > 0 ? margin : random.int(margin, Math.max(margin, width - layer.width - margin));
    const top = captionHeight > 0 ? pictureHeight + margin : random.int(margin, Math.max(margin, height - layer.height - margin));
    textBox = { x: left, y: top, width: layer.width, height: layer.height };
    composed = await sharp(composed, { raw: { width, height, channels: 3 } })
      .composite([{ input: layer.png, left, top }])
      .removeAlpha()
      .raw()
      .toBuffer();
  }
  addNoise(composed, conditions.noiseSigma, random);
  const png = await sharp(composed, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
  return { png, width, height, textBox };
}

async function textLayer(lines: string[], font: TestFont, sizePx: number, colour: Rgb, rotationDeg: number) {
  const hex = `#${colour.map((value) => Math.round(value).toString(16).padStart(2, '0')).join('')}`;
  const markup = `<span foreground="${hex}">${escapeMarkup(lines.join('\n'))}</span>`;
  let image = sharp({
    text: { text: markup, fontfile: fontFile(font), font: `${TEST_FONTS[font].family} ${sizePx}px`, rgba: true, spacing: Math.round(sizePx * 0.45) },
  });
  if (rotationDeg !== 0) {
    // sharp rotates clockwise and grows the canvas to hold the turned text; the corners stay transparent.
    image = sharp(await image.png().toBuffer()).rotate(rotationDeg, { background: { r: 0, g: 0, b: 0, alpha: 0 } });
  }
  const { data, info } = await image.png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Throws unless every test font renders with its own metrics: were a family name not matched in its file, Pango would
 * fall back to one default face and several fonts would measure the same.
 */
export async function checkTestFonts(): Promise<void> {
  const widths = new Map<number, TestFont[]>();
  for (const font of Object.keys(TEST_FONTS) as TestFont[]) {
    const { info } = await sharp({ text: { text: 'Hamburgefonstiv 0123456789', fontfile: fontFile(font), font: `${TEST_FONTS[font].family} 40px` } })
      .png()
      .toBuffer({ resolveWithObject: true });
    widths.set(info.width, [...(widths.get(info.width) ?? []), font]);
  }
  const same = [...widths.values()].filter((fonts) => fonts.length > 1);
  if (same.length > 0) throw new Error(`these test fonts render alike, so Pango did not find them in their files: ${same.map((fonts) => fonts.join(' = ')).join('; ')}`);
}
