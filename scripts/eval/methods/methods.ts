import type { MethodName } from '../eval-types.ts';
import { runEcso } from './ecso.ts';
import { runGuard } from './guard.ts';
import type { Method } from './method-context.ts';
import { runNone } from './none.ts';
import { runRewriter } from './rewriter.ts';
import { runStaticDefence } from './static-defence.ts';

export const METHOD_RUNNERS: Readonly<Record<MethodName, Method>> = {
  'none': runNone,
  'static-defence': runStaticDefence,
  'ecso': runEcso,
  'guard': runGuard,
  'rewriter': runRewriter,
};
