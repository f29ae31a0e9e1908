/**
 * Every endpoint call of a run, through the call log: the key is made here from what decides the answer, so a
 * prompt that several methods send (none, a passed-through rewrite, the sweep's repeats) is asked once per item.
 */
import * as v from 'valibot';
import type { ChatMessage } from '../../src/core/rewriter-api.ts';
import { callKey, type CallLog, type LoggedAnswer } from './call-log.ts';
import type { ChatRequest, EndpointAnswer, EndpointClient } from './endpoint.ts';
import type { EvalItem, TokenUsage } from './eval-types.ts';

const AnswerSchema = v.object({
  text: v.string(),
  finishReason: v.nullable(v.string()),
  usage: v.nullable(v.object({ promptTokens: v.number(), completionTokens: v.number() })),
  ms: v.number(),
  scripted: v.boolean(),
});

/** Whose answer a call is: the evaluation's roles, and the synthesis's teacher. */
export type CallKind = 'target' | 'judge' | 'guard' | 'rewriter' | 'teacher';

export class EvalCalls {
  readonly log: CallLog;
  /** Per endpoint name: whether every answer so far carried the scripted server's header. */
  readonly #scripted = new Map<string, boolean>();

  constructor(log: CallLog) {
    this.log = log;
  }

  /** One chat call, answered from the log when it was made before; `keyExtras` adds what else decides the answer. */
  async chat(
    client: EndpointClient,
    kind: CallKind,
    item: EvalItem,
    request: ChatRequest,
    keyExtras: Record<string, unknown> = {},
  ): Promise<LoggedAnswer<EndpointAnswer>> {
    const { baseURL, model, name } = client.spec;
    const key = callKey({
      kind,
      endpoint: { baseURL, model },
      item: item.id,
      inputs: { messages: request.messages, image: request.image, maxTokens: request.maxTokens, extraBody: request.extraBody ?? null, ...keyExtras },
    });
    const logged = await this.log.getOrCall({ key, kind, endpoint: name, item: item.id }, AnswerSchema, async () => {
      const answer = await client.chat(request);
      return { answer, usage: answer.usage, ms: answer.ms };
    });
    this.#scripted.set(name, (this.#scripted.get(name) ?? true) && logged.answer.scripted);
    return logged;
  }

  /** True only when every endpoint answered at least once and always with the scripted server's header. */
  allScripted(endpoints: readonly string[]): boolean {
    return endpoints.length > 0 && endpoints.every((name) => this.#scripted.get(name) === true);
  }
}

/** A user turn with the image first, then the text; or the text alone. */
export function userTurn(text: string, withImage: boolean): ChatMessage[] {
  return [{ role: 'user', content: withImage ? [{ type: 'image' }, { type: 'text', text }] : [{ type: 'text', text }] }];
}

export function usageOf(endpoint: string, answer: { usage: TokenUsage | null }): { endpoint: string; usage: TokenUsage | null } {
  return { endpoint, usage: answer.usage };
}
