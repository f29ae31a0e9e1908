import { askTarget, methodResult, type Method } from './method-context.ts';

/** No defence: the target answers the item's prompt and image as they are. */
export const runNone: Method = async (item, target, context) => {
  const reply = await askTarget(context, target, item, item.prompt);
  return methodResult(item, target, { method: 'none', promptSent: item.prompt, answer: reply.text, usage: [reply.usage] });
};
