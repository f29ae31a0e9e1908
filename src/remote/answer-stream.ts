import type { RemoteUsage } from './remote-outcome.ts';

/** A stream that parses but is not a chat-completion stream. */
export class MalformedStreamError extends Error {
  override readonly name = 'MalformedStreamError';
}

/** A stream that closed cleanly before any text or finish_reason: nothing was answered. */
export class UnansweredStreamError extends Error {
  override readonly name = 'UnansweredStreamError';
}

export interface AnswerEnding {
  /** null when the server names none (some compatible servers never do). */
  finishReason: string | null;
  usage: RemoteUsage | null;
}

export interface AnswerListener {
  /** The first event arrived, whatever it holds. */
  firstEvent(): void;
  text(delta: string): void;
}

/** Reads a chat-completion stream, passing its text on as it comes; throws for a stream that is not one. */
export async function readAnswerStream(stream: AsyncIterable<unknown>, listener: AnswerListener): Promise<AnswerEnding> {
  let events = 0;
  let answered = false;
  let finishReason: string | null = null;
  let usage: RemoteUsage | null = null;
  for await (const event of stream) {
    if (events++ === 0) listener.firstEvent();
    const chunk = readChunk(event);
    usage = chunk.usage ?? usage;
    finishReason = chunk.finishReason ?? finishReason;
    if (chunk.delta) {
      answered = true;
      listener.text(chunk.delta);
    }
  }
  if (events === 0) throw new MalformedStreamError('no stream events: the answer was not a server-sent event stream');
  // Some compatible servers never send a finish_reason, so a stream that closed cleanly with text is an
  // answer (a broken connection throws above instead).
  if (finishReason === null && !answered) throw new UnansweredStreamError('the stream ended without an answer or a finish_reason');
  return { finishReason, usage };
}

interface Chunk {
  delta: string;
  finishReason: string | null;
  usage: RemoteUsage | null;
}

/** Validates one stream event: the SDK types it, but a foreign server can send anything that parses. */
function readChunk(event: unknown): Chunk {
  if (!event || typeof event !== 'object' || !Array.isArray((event as { choices?: unknown }).choices)) {
    throw new MalformedStreamError('a stream event without "choices"');
  }
  const { choices, usage } = event as { choices: unknown[]; usage?: unknown };
  const choice = choices[0] as { delta?: { content?: unknown }; finish_reason?: unknown } | undefined;
  const content = choice?.delta?.content;
  return {
    delta: typeof content === 'string' ? content : '',
    finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    usage: readUsage(usage),
  };
}

function readUsage(usage: unknown): RemoteUsage | null {
  if (!usage || typeof usage !== 'object') return null;
  const { prompt_tokens, completion_tokens, total_tokens } = usage as Record<string, unknown>;
  if (typeof prompt_tokens !== 'number' || typeof completion_tokens !== 'number') return null;
  return {
    promptTokens: prompt_tokens,
    completionTokens: completion_tokens,
    totalTokens: typeof total_tokens === 'number' ? total_tokens : prompt_tokens + completion_tokens,
  };
}
