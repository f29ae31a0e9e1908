/**
 * A classifier guard in front of the target (Llama Guard 3 Vision style): the guard gets the user turn with the
 * image and answers "safe", or "unsafe" with its category codes on the next line. Unsafe, or an answer it cannot
 * read, and the method refuses on its own (fail closed); safe, and the target answers the original prompt.
 */
import { userTurn, usageOf } from '../eval-calls.ts';
import { GUARD_REFUSAL_ANSWER } from '../refusal.ts';
import { askTarget, methodResult, type Method } from './method-context.ts';

export type GuardVerdict = { kind: 'safe' } | { kind: 'unsafe'; categories: string[] } | { kind: 'unreadable' };

const GUARD_MAX_TOKENS = 32;

export function readGuardVerdict(reply: string): GuardVerdict {
  const [first = '', second = ''] = reply
    .trim()
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const word = first.toLowerCase().replace(/[.\s]+$/, '');
  if (word === 'safe') return { kind: 'safe' };
  if (word === 'unsafe') return { kind: 'unsafe', categories: second.split(/[,\s]+/).filter((code) => code !== '') };
  return { kind: 'unreadable' };
}

export const runGuard: Method = async (item, target, context) => {
  const guard = context.guard;
  if (!guard) throw new Error('The guard method needs --guard.');
  const checked = await context.calls.chat(guard, 'guard', item, {
    messages: userTurn(item.prompt, true),
    image: item.image,
    maxTokens: GUARD_MAX_TOKENS,
  });
  const verdict = readGuardVerdict(checked.answer.text);
  const guardUsage = usageOf(guard.spec.name, checked.answer);
  const notes: Record<string, string> = { guardAnswer: checked.answer.text, guardVerdict: verdict.kind };
  if (verdict.kind === 'unsafe') notes['guardCategories'] = verdict.categories.join(', ');
  if (verdict.kind === 'unreadable') notes['guardNote'] = 'The guard answered neither safe nor unsafe: refused (fail closed).';
  if (verdict.kind !== 'safe') {
    return methodResult(item, target, {
      method: 'guard',
      promptSent: null,
      answer: GUARD_REFUSAL_ANSWER,
      methodRefused: true,
      usage: [guardUsage],
      notes,
    });
  }
  const reply = await askTarget(context, target, item, item.prompt);
  return methodResult(item, target, { method: 'guard', promptSent: item.prompt, answer: reply.text, usage: [guardUsage, reply.usage], notes });
};
