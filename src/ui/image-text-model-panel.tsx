import type { CachedImageTextSummary } from '../app/image-text-cache.ts';
import type { ImageTextStatus } from '../app/rewriter-client.ts';
import { OCR_MODEL, OCR_TOTAL_BYTES } from '../core/ocr-model.ts';
import { formatBytes, formatMs } from '../core/units.ts';
import { BACKEND_LABELS } from './device-panel.tsx';

interface ImageTextModelPanelProps {
  /** What Cache Storage holds of the OCR files; null until read. */
  cached: CachedImageTextSummary | null;
  status: ImageTextStatus;
  /** OCR is on in Settings. */
  enabled: boolean;
  /** A rewrite or a model load is running. */
  busy: boolean;
  onDelete: () => void;
}

/** The OCR model beside the rewriters: what it reads, what it costs, whether it is here, and how it is doing. */
export function ImageTextModelPanel({ cached, status, enabled, busy, onDelete }: ImageTextModelPanelProps) {
  const isCached = cached?.complete ?? false;
  return (
    <section className="panel image-text-model" aria-labelledby="image-text-model-title">
      <div className="model-card-title">
        <h2 id="image-text-model-title">Text reader (OCR)</h2>
        {status.kind === 'ready' && <span className="badge">Loaded</span>}
      </div>
      <p>{OCR_MODEL.name}</p>
      <p className="muted">
        {formatBytes(OCR_TOTAL_BYTES)} · {OCR_MODEL.source} (MIT) · served by this site, runs on this device
      </p>
      <p>
        Reads {OCR_MODEL.script}. Other scripts would need another recognition model.
      </p>
      <p className="model-card-status" data-testid="ocr-cache-status">
        {cached === null
          ? 'Checking this device…'
          : isCached
            ? `Cached on this device (${formatBytes(cached.bytes)})`
            : `Not downloaded (${formatBytes(OCR_TOTAL_BYTES)}; comes with the first rewrite that reads text)`}
      </p>
      <ImageTextStatusLine status={status} enabled={enabled} />
      {(cached?.files ?? 0) > 0 && (
        <div className="actions">
          <button type="button" onClick={onDelete} disabled={busy || status.kind === 'loading'}>
            Delete
          </button>
        </div>
      )}
    </section>
  );
}

function ImageTextStatusLine({ status, enabled }: { status: ImageTextStatus; enabled: boolean }) {
  switch (status.kind) {
    case 'loading': {
      const known = status.total > 0;
      return (
        <div className="load-progress" data-testid="ocr-status">
          <label className="muted">
            {known ? `Loading: ${formatBytes(status.loaded)} of ${formatBytes(status.total)}` : 'Loading…'}
            <progress max={known ? status.total : undefined} value={known ? status.loaded : undefined} />
          </label>
        </div>
      );
    }
    case 'ready': {
      const { backend, loadMs, webGpuFailure } = status.loaded;
      return (
        <p className="muted" data-testid="ocr-status">
          Ready on {BACKEND_LABELS[backend]} (loaded in {formatMs(loadMs)})
          {webGpuFailure && `; WebGPU could not run it (${webGpuFailure})`}
        </p>
      );
    }
    case 'failed':
      return (
        <p className="error" data-testid="ocr-status">
          Could not load: {status.message}
        </p>
      );
    case 'not-loaded':
      return (
        <p className="muted" data-testid="ocr-status">
          {enabled ? 'Not loaded: it loads beside the rewriter.' : 'Off in Settings: rewrites do not read the text in images.'}
        </p>
      );
  }
}
