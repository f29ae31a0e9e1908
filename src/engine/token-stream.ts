import { TextStreamer, type InterruptableStoppingCriteria, type PreTrainedTokenizer } from '@huggingface/transformers';
import type { StreamUpdate } from '../core/rewriter-api.ts';

export interface TokenStreamOptions {
  /** performance.now() when the request began, for firstTokenMs. */
  started: number;
  onStream: (update: StreamUpdate) => void;
  /** The page's stop flag (see GenerateRequest.stopFlag); read after each token. */
  stopFlag: Int32Array | undefined;
  /** Interrupted when the stop flag is set. */
  stopper: InterruptableStoppingCriteria;
}

/**
 * Streams one generation: one update per token, the text that token made final, and Stop by the shared flag.
 * TextStreamer reports a token before the text it completes, so each token's update carries the text that came
 * since the previous one, and flush() sends what the last token completed.
 */
export class TokenStream {
  readonly streamer: TextStreamer;
  text = '';
  tokenCount = 0;
  firstTokenMs = 0;
  readonly #onStream: (update: StreamUpdate) => void;
  #unsent = '';

  constructor(tokenizer: PreTrainedTokenizer, { started, onStream, stopFlag, stopper }: TokenStreamOptions) {
    this.#onStream = onStream;
    this.streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (chunk: string) => {
        this.text += chunk;
        this.#unsent += chunk;
      },
      token_callback_function: () => {
        this.tokenCount += 1;
        if (this.tokenCount === 1) this.firstTokenMs = performance.now() - started;
        this.#send();
        // Checked after the update, so a stop requested while handling token n ends the run at n.
        if (stopFlag && Atomics.load(stopFlag, 0) === 1) stopper.interrupt();
      },
    });
  }

  /** Sends the text the last token completed, if any; call once generate() has returned. */
  flush(): void {
    if (this.#unsent) this.#send();
  }

  #send(): void {
    this.#onStream({ text: this.#unsent, tokenCount: this.tokenCount });
    this.#unsent = '';
  }
}
