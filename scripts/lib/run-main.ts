/**
 * How the npm run entry points (eval, synthesize, check-model) end: main's number is the exit status; an error it
 * throws prints its message and exits 2 where it is a bad flag (with where the help is) or a bad input, else 1.
 */
import { errorMessage } from '../../src/core/error-facts.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

export interface EntryErrors {
  /** The options parser's error, and the command that prints the help. */
  argument: { error: ErrorClass; help: string };
  /** Inputs that cannot be read or are malformed. */
  input: ErrorClass[];
}

export function runMain(main: () => Promise<number>, errors: EntryErrors): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      const isArgument = error instanceof errors.argument.error;
      console.error(isArgument ? `${errorMessage(error)}\n\nSee ${errors.argument.help}.` : errorMessage(error));
      process.exit(isArgument || errors.input.some((type) => error instanceof type) ? 2 : 1);
    },
  );
}

/** Prints the message; the exit status to return from main. */
export function fail(message: string, code: number): number {
  console.error(message);
  return code;
}
