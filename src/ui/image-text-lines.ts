import { MIN_LINE_CONFIDENCE, quoteImageText, sanitizeTextLine, type ImageTextOutcome, type Point, type TextLine } from '../core/image-text.ts';
import type { ReasoningMode } from '../core/reasoning-mode.ts';
import { describeRewriteInput } from '../core/rewrite-prompt.ts';

/**
 * An SVG polygon's points for a line's box. The overlay's viewBox is the image's size as OCR read it, so the same
 * points fit the preview at any scale (a history entry keeps a smaller copy of the same picture).
 */
export function polygonPoints(box: readonly Point[]): string {
  return box.map(({ x, y }) => `${round(x)},${round(y)}`).join(' ');
}

/** The recogniser's confidence as people read it: "97%". */
export function confidencePercent(confidence: number): string {
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)}%`;
}

/** Whether the rewriter is shown this line (quoteImageText drops the unsure and the empty ones). */
export function isGivenToRewriter(line: TextLine): boolean {
  return line.confidence >= MIN_LINE_CONFIDENCE && sanitizeTextLine(line.text) !== '';
}

/** "Could not read the text in the image: <message>. The rewrite went on without it." */
export function imageTextFailure(message: string): string {
  const reason = message.trim().replace(/[\s.]+$/, '');
  return `Could not read the text in the image${reason ? `: ${reason}` : ''}. The rewrite went on without it.`;
}

/** What the rewriter was given as text (the image's place marked), for the raw view. */
export function rewriteInputText(prompt: string, imageText: ImageTextOutcome | null, reasoning: ReasoningMode): string {
  return describeRewriteInput(prompt, imageText?.kind === 'read' ? quoteImageText(imageText.reading.lines) : null, reasoning);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
