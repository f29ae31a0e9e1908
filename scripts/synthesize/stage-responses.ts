/**
 * Stage 1: a safe and an unsafe response to the item's image and prompt. The dataset's own (`references`) when it
 * ships them; otherwise the target's: the unsafe one answers the prompt as is, the safe one the prompt inside the
 * static defence (quoting the image's text with --ocr). Without a target, an item lacking either is rejected.
 */
import { applyStaticDefence } from '../../src/core/static-defence.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import { askTarget, type SynthesisContext } from './synthesis-context.ts';
import { reject, type StageOutcome } from './teacher-replies.ts';

export type ResponseSource = 'dataset' | 'target';

export interface Responses {
  safe: string;
  unsafe: string;
  sources: { safe: ResponseSource; unsafe: ResponseSource };
}

type Kind = 'safe' | 'unsafe';

async function response(item: EvalItem, kind: Kind, context: SynthesisContext): Promise<StageOutcome<{ text: string; source: ResponseSource }>> {
  const shipped = item.references?.[kind];
  if (shipped !== undefined && shipped.trim() !== '') return { ok: true, value: { text: shipped, source: 'dataset' } };
  const { target } = context;
  if (!target) return reject(`the dataset ships no ${kind} response and no --target was given to answer the prompt`);
  const prompt = kind === 'unsafe' ? item.prompt : applyStaticDefence(item.prompt, await context.imageText(item));
  const text = await askTarget(context, target, item, prompt);
  if (text.trim() === '') return reject(`the target's ${kind} response is empty`);
  return { ok: true, value: { text, source: 'target' } };
}

export async function collectResponses(item: EvalItem, context: SynthesisContext): Promise<StageOutcome<Responses>> {
  const [unsafe, safe] = await Promise.all([response(item, 'unsafe', context), response(item, 'safe', context)]);
  if (!unsafe.ok) return unsafe;
  if (!safe.ok) return safe;
  return { ok: true, value: { safe: safe.value.text, unsafe: unsafe.value.text, sources: { safe: safe.value.source, unsafe: unsafe.value.source } } };
}
