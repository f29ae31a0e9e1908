import { SECTION_TAGS } from './rewrite-format.ts';

/** A corner of a text line's box, in pixels of the image as uploaded (after EXIF orientation). */
export interface Point {
  x: number;
  y: number;
}

/** One line of text that OCR found in the image. */
export interface TextLine {
  text: string;
  /** The recogniser's mean character probability, 0–1. */
  confidence: number;
  /** The four corners of the line's box, clockwise from the top left of the text. */
  box: Point[];
}

/** What OCR read in one image. */
export interface ImageTextReading {
  lines: TextLine[];
  /** The size of the image the boxes refer to. */
  imageSize: { width: number; height: number };
  ms: number;
}

/** What the rewriter was told about the text in the image, for the screen, the history and the exports. */
export type ImageTextOutcome =
  | { kind: 'read'; reading: ImageTextReading }
  | { kind: 'off' }
  /** OCR failed or took too long; the rewrite went on without it. */
  | { kind: 'failed'; message: string };

/** The text found in an image as it may appear inside a prompt: quoted data, never markup. */
export interface QuotedImageText {
  lines: string[];
  /** Characters left out to keep within the bounds. */
  cutCharacters: number;
  /** Some line held one of the rewriter's own section tags (before they were defused). */
  heldFormatTags: boolean;
}

/** Enough for a typographic attack's title and list, small next to the ~450-token instruction. */
export const IMAGE_TEXT_BOUNDS = { maxLines: 24, maxLineCharacters: 160, maxCharacters: 1200 } as const;

/** Lines the recogniser is less sure of are more likely noise read in a photo's texture. */
export const MIN_LINE_CONFIDENCE = 0.5;

// Control and format characters (bidi overrides, zero-width joiners, BOM…) could hide or reorder text.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const FORMAT_TAG_WORDS = Object.values(SECTION_TAGS).map((tag) => tag.slice(1, -1).replace(/\s+/g, '\\s*'));
const FORMAT_TAG = new RegExp(`\\[\\s*(?:${FORMAT_TAG_WORDS.join('|')})\\s*\\]`, 'i');

/**
 * One OCR line made safe to quote in a prompt: no control or format characters, no brackets (so no section tag of
 * the rewriter's format), no angle brackets (so no special token such as <image> or <|im_start|>, which a
 * tokenizer would read as the token itself), no backticks (which fence the prompt), whitespace collapsed.
 */
export function sanitizeTextLine(text: string): string {
  return text
    .replace(INVISIBLE, ' ')
    .replace(/[[{]/g, '(')
    .replace(/[\]}]/g, ')')
    .replace(/[<>`]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The lines worth telling a model about, sanitised and bounded: null when there are none. */
export function quoteImageText(lines: readonly TextLine[], bounds = IMAGE_TEXT_BOUNDS): QuotedImageText | null {
  const kept = lines.filter((line) => line.confidence >= MIN_LINE_CONFIDENCE);
  const quoted: string[] = [];
  let cutCharacters = 0;
  let used = 0;
  for (const line of kept) {
    const clean = sanitizeTextLine(line.text);
    if (clean === '') continue;
    const room = Math.min(bounds.maxLineCharacters, bounds.maxCharacters - used);
    if (quoted.length === bounds.maxLines || room <= 0) {
      cutCharacters += clean.length;
      continue;
    }
    const fitted = [...clean].slice(0, room).join('');
    cutCharacters += clean.length - fitted.length;
    used += fitted.length;
    quoted.push(fitted);
  }
  if (quoted.length === 0) return null;
  return { lines: quoted, cutCharacters, heldFormatTags: kept.some((line) => FORMAT_TAG.test(line.text)) };
}

/** "… (N more characters not shown)" where the bounds cut something. */
export function cutNote(text: QuotedImageText): string | null {
  return text.cutCharacters > 0 ? `(${text.cutCharacters} more characters of text found in the image are not shown.)` : null;
}
