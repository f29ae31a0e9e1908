import { applyStaticDefence } from '../../../src/core/static-defence.ts';
import { askTarget, methodResult, type Method } from './method-context.ts';

/** The app's model-free rung: the prompt fenced after a fixed safety instruction, quoting the image's text (OCR on). */
export const runStaticDefence: Method = async (item, target, context) => {
  const prompt = applyStaticDefence(item.prompt, await context.imageText(item));
  const reply = await askTarget(context, target, item, prompt);
  return methodResult(item, target, { method: 'static-defence', promptSent: prompt, answer: reply.text, usage: [reply.usage] });
};
