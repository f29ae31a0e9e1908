import { RISK_CATEGORIES, SECTION_TAGS } from '../../src/core/rewrite-format.ts';
import { buildRewriteInstruction } from '../../src/core/rewrite-prompt.ts';
import { BENCH_QUESTIONS } from './bench-prompts.ts';

/**
 * English text the realistic model's BPE merges are trained on: the rewrite instruction, the benchmark questions, the
 * output format, and common chat words. A 49k-entry tokenizer such as SmolVLM's holds nearly every common English
 * word as one token; training until each word of this text is one token reproduces that for the benchmark prompt,
 * so its token count is close to a real tokenizer's (rare words would split in the real one).
 */
export function tokenizerCorpus(): string {
  return [
    ...BENCH_QUESTIONS.map((question) => buildRewriteInstruction(question)),
    Object.entries(RISK_CATEGORIES).map(([key, label]) => `${key}: ${label}.`).join('\n'),
    Object.values(SECTION_TAGS).join(' '),
    COMMON_WORDS,
  ].join('\n');
}

const COMMON_WORDS = `The image shows a person, a street, a building, a car, a dog and a tree. There is some text written on a
sign. I can see people who are walking, sitting, standing or talking. This is a photo of a room with a table, a chair,
a window and a door. The answer is yes, no, maybe, because, however, therefore, also, only, very, more, most, less.
Please describe what you see and explain why it could be dangerous, unsafe, illegal, harmful or fine to share.`;
