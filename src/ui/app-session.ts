import type { useRewriteSession } from '../app/use-rewrite-session.ts';

/** What the views render: the one session App holds, so switching views never resets it. */
export type AppSession = ReturnType<typeof useRewriteSession>;
