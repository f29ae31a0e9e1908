/**
 * The append-only log of every call a run makes (`<out>/calls.jsonl`), which is also its resume point: a call whose
 * key has a logged success is answered from the log, a logged failure is tried again. The key is a sha256 over the
 * canonical JSON of what decides the answer (kind, endpoint URL and model, item, the exact inputs), so a re-run
 * with the same flags makes no call, and a prompt that two methods send is asked once.
 */
import { createHash } from 'node:crypto';
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import * as v from 'valibot';
import type { TokenUsage } from './eval-types.ts';

export interface CallKeyParts {
  kind: string;
  /** An endpoint's base URL and model, or a local model's id. */
  endpoint: { baseURL: string; model: string } | { local: string };
  item: string;
  /** Everything else the answer depends on: the messages' text, the image's path, the rubric version, settings. */
  inputs: Record<string, unknown>;
}

/** JSON with every object's keys sorted, so equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function callKey(parts: CallKeyParts): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

const UsageSchema = v.nullable(v.object({ promptTokens: v.number(), completionTokens: v.number() }));

const LineSchema = v.object({
  key: v.string(),
  kind: v.string(),
  /** The endpoint's name in the run (a local model: its id). */
  endpoint: v.string(),
  item: v.string(),
  answer: v.unknown(),
  usage: UsageSchema,
  ms: v.number(),
  time: v.string(),
  error: v.nullable(v.string()),
});

export type CallLogLine = v.InferOutput<typeof LineSchema>;

/** Where a call is logged and tallied. */
export interface CallTarget {
  key: string;
  kind: string;
  endpoint: string;
  item: string;
}

export interface CallOutcome<T> {
  answer: T;
  usage: TokenUsage | null;
  ms: number;
}

export interface LoggedAnswer<T> extends CallOutcome<T> {
  /** Taken from the log: no call was made. */
  cached: boolean;
}

export interface CallCounts {
  calls: number;
  cachedCalls: number;
  failedCalls: number;
  promptTokens: number;
  completionTokens: number;
}

export interface OpenedCallLog {
  log: CallLog;
  /** Successful calls found in the file. */
  logged: number;
  /** A line cut short by a kill (1-based), dropped from the file; null when the file ended cleanly. */
  tornLine: number | null;
}

export class CallLog {
  readonly file: string;
  readonly #successes: Map<string, CallLogLine>;
  readonly #inFlight = new Map<string, Promise<LoggedAnswer<unknown>>>();
  readonly #counts = new Map<string, CallCounts>();
  readonly #handle: FileHandle;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, successes: Map<string, CallLogLine>, handle: FileHandle) {
    this.file = file;
    this.#successes = successes;
    this.#handle = handle;
  }

  /** Reads what the file holds (a torn last line is cut off the file and reported), then opens it for appending. */
  static async open(file: string): Promise<OpenedCallLog> {
    const content = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const successes = new Map<string, CallLogLine>();
    const lines = content.split('\n');
    const tail = lines.pop() ?? '';
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const line = parseLine(text);
      if (!line) throw new Error(`${file}:${index + 1}: not a call-log line; remove the file (or the line) to start over.`);
      if (line.error === null) successes.set(line.key, line);
    });
    let tornLine: number | null = null;
    if (tail !== '') {
      const line = parseLine(tail);
      if (line) {
        if (line.error === null) successes.set(line.key, line);
      } else {
        tornLine = lines.length + 1;
        await truncate(file, Buffer.byteLength(content) - Buffer.byteLength(tail));
      }
    }
    const handle = await open(file, 'a');
    if (tail !== '' && tornLine === null) await handle.appendFile('\n');
    return { log: new CallLog(file, successes, handle), logged: successes.size, tornLine };
  }

  /**
   * The logged answer for this key when there is one that `schema` accepts; otherwise the call's, logged. A failed
   * call is logged with its error and rethrown. Concurrent calls with one key share one call.
   */
  getOrCall<T>(target: CallTarget, schema: v.GenericSchema<unknown, T>, call: () => Promise<CallOutcome<T>>): Promise<LoggedAnswer<T>> {
    const logged = this.#successes.get(target.key);
    if (logged) {
      const answer = v.safeParse(schema, logged.answer);
      if (answer.success) {
        this.#count(target.endpoint, 'cachedCalls', logged.usage);
        return Promise.resolve({ answer: answer.output, usage: logged.usage, ms: logged.ms, cached: true });
      }
    }
    const pending = this.#inFlight.get(target.key);
    if (pending) {
      return pending.then((shared) => {
        this.#count(target.endpoint, 'cachedCalls', shared.usage);
        return { ...(shared as LoggedAnswer<T>), cached: true };
      });
    }
    const started = performance.now();
    const calling = call().then(
      async (outcome) => {
        const line = { ...target, answer: outcome.answer, usage: outcome.usage, ms: outcome.ms, time: new Date().toISOString(), error: null };
        this.#successes.set(target.key, line);
        this.#count(target.endpoint, 'calls', outcome.usage);
        await this.#append(line);
        return { ...outcome, cached: false };
      },
      async (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        const ms = Math.round(performance.now() - started);
        this.#count(target.endpoint, 'calls', null);
        this.#count(target.endpoint, 'failedCalls', null);
        await this.#append({ ...target, answer: null, usage: null, ms, time: new Date().toISOString(), error: message });
        throw error;
      },
    );
    this.#inFlight.set(target.key, calling);
    void calling.then(
      () => this.#inFlight.delete(target.key),
      () => this.#inFlight.delete(target.key),
    );
    return calling;
  }

  /** Calls made, answers taken from the log (or shared with a call in flight), failures and tokens, per endpoint. */
  counts(endpoint: string): CallCounts {
    return { ...(this.#counts.get(endpoint) ?? emptyCounts()) };
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#handle.close();
  }

  #count(endpoint: string, field: 'calls' | 'cachedCalls' | 'failedCalls', usage: TokenUsage | null): void {
    const counts = this.#counts.get(endpoint) ?? emptyCounts();
    counts[field] += 1;
    if (field !== 'failedCalls') {
      counts.promptTokens += usage?.promptTokens ?? 0;
      counts.completionTokens += usage?.completionTokens ?? 0;
    }
    this.#counts.set(endpoint, counts);
  }

  /** One line, one write, in order: a kill can tear only the last line. */
  #append(line: CallLogLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.#writing = this.#writing.then(() => this.#handle.appendFile(text));
    return this.#writing;
  }
}

function emptyCounts(): CallCounts {
  return { calls: 0, cachedCalls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0 };
}

function parseLine(text: string): CallLogLine | null {
  try {
    const parsed = v.safeParse(LineSchema, JSON.parse(text));
    return parsed.success ? parsed.output : null;
  } catch {
    return null;
  }
}
