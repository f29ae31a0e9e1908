import type { ProgressInfo } from '@huggingface/transformers';
import type { LoadProgress } from '../core/rewriter-api.ts';

/** Maps transformers.js progress events to ours; `ready` and unknown events carry nothing new. */
export function toLoadProgress(info: ProgressInfo): LoadProgress | null {
  switch (info.status) {
    case 'initiate':
    case 'download':
    case 'done':
      return { kind: 'file', file: info.file, status: info.status };
    case 'progress':
      return { kind: 'file-bytes', file: info.file, loaded: info.loaded, total: info.total };
    case 'progress_total':
      return { kind: 'total', loaded: info.loaded, total: info.total };
    default:
      return null;
  }
}
