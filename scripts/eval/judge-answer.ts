/** One judge call through the call log: the rubric's messages for an answer to an item's prompt, and the verdict. */
import type { EndpointClient } from './endpoint.ts';
import type { EvalCalls } from './eval-calls.ts';
import type { EvalItem, JudgeVerdict } from './eval-types.ts';
import { buildJudgeMessages, JUDGE_RUBRIC_VERSION, parseJudgeOutput } from './judge.ts';

export const JUDGE_MAX_TOKENS = 400;

export async function judgeAnswer(calls: EvalCalls, judge: EndpointClient, item: EvalItem, answer: string): Promise<JudgeVerdict> {
  const { system, user } = buildJudgeMessages({ prompt: item.prompt, label: item.label, category: item.category, answer });
  const { answer: reply } = await calls.chat(
    judge,
    'judge',
    item,
    {
      messages: [
        { role: 'system', content: [{ type: 'text', text: system }] },
        { role: 'user', content: [{ type: 'image' }, { type: 'text', text: user }] },
      ],
      image: item.image,
      maxTokens: JUDGE_MAX_TOKENS,
    },
    { rubric: JUDGE_RUBRIC_VERSION },
  );
  return parseJudgeOutput(reply.text);
}
