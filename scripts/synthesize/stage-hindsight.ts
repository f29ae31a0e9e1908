/** Stage 2: the teacher's hindsight analysis of why the unsafe response is unsafe and the safe one safe. */
import type { EvalItem } from '../eval/eval-types.ts';
import type { Responses } from './stage-responses.ts';
import { askTeacher, type SynthesisContext } from './synthesis-context.ts';
import { hindsightMessages } from './teacher-prompts.ts';
import { hindsightText, readHindsightReply, type StageOutcome } from './teacher-replies.ts';

/** The analysis as the record keeps it and the next stage quotes it. */
export async function analyseInHindsight(item: EvalItem, responses: Responses, context: SynthesisContext): Promise<StageOutcome<string>> {
  const reply = await askTeacher(context, item, 'hindsight', hindsightMessages({ prompt: item.prompt, unsafe: responses.unsafe, safe: responses.safe }));
  const read = readHindsightReply(reply);
  return read.ok ? { ok: true, value: hindsightText(read.value) } : read;
}
