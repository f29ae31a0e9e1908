import type { StorageStatus } from '../app/model-cache.ts';
import type { CachedModelSummary } from '../core/model-cache-keys.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import { formatBytes } from '../core/units.ts';

interface ModelManagerProps {
  models: readonly ModelRecord[];
  summaries: Record<string, CachedModelSummary>;
  /** `persistRefused`: the browser said no to the last "Keep models". */
  storage: (StorageStatus & { persistRefused?: boolean }) | null;
  recommendedId: string | null;
  selectedId: string;
  loadedId: string | null;
  downloadingId: string | null;
  busy: boolean;
  onUse: (model: ModelRecord) => void;
  onDownload: (model: ModelRecord) => void;
  onDelete: (model: ModelRecord) => void;
  onPersist: () => void;
}

/** The catalog as cards: what each model costs, whether it is here already, and what to do with it. */
export function ModelManager(props: ModelManagerProps) {
  const { storage } = props;
  return (
    <section className="panel model-manager" aria-labelledby="model-manager-title">
      <div className="manager-header">
        <h2 id="model-manager-title">Models</h2>
        {storage && (
          <p className="muted" data-testid="storage-status">
            {storage.usedBytes !== null && storage.quotaBytes !== null
              ? `Storage: ${formatBytes(storage.usedBytes)} used of ${formatBytes(storage.quotaBytes)} available to this site. `
              : 'Storage use unknown. '}
            {storage.persisted ? 'Kept even when space runs low.' : 'The browser may evict models when space runs low. '}
            {!storage.persisted && (
              <button type="button" className="link" onClick={props.onPersist}>
                Keep models
              </button>
            )}
          </p>
        )}
        <div role="status" data-testid="persist-answer">
          {storage?.persistRefused && (
            <p className="notice">
              The browser kept the right to clear the models when space runs low: it decides by how you use a site (a
              bookmark, an installed app or regular visits help). Ask again later; a cleared model downloads again when you
              next use it.
            </p>
          )}
        </div>
      </div>
      <ul className="model-cards">
        {props.models.map((model) => {
          const cached = props.summaries[model.id];
          const isCached = cached?.complete ?? false;
          const titleId = `model-card-${model.id.replace(/[^\w-]/g, '-')}`;
          return (
            <li key={model.id} className={model.id === props.selectedId ? 'model-card selected' : 'model-card'} aria-labelledby={titleId}>
              <div className="model-card-title">
                <h3 id={titleId}>{model.label}</h3>
                {model.id === props.recommendedId && <span className="badge">Recommended here</span>}
                {model.id === props.loadedId && <span className="badge">Loaded</span>}
              </div>
              <p className="muted">
                {model.parameters} parameters · {model.licence}
              </p>
              <p>{model.whenToPick}</p>
              <p className="model-card-status" data-testid="cache-status">
                {props.downloadingId === model.id
                  ? 'Downloading…'
                  : isCached
                    ? `Cached on this device (${formatBytes(cached?.bytes ?? 0)})`
                    : `Not downloaded (about ${model.approxDownloadMB} MB)`}
              </p>
              <div className="actions">
                <button type="button" onClick={() => props.onUse(model)} disabled={model.id === props.selectedId}>
                  {model.id === props.selectedId ? 'Selected' : 'Use'}
                </button>
                {isCached ? (
                  <button type="button" onClick={() => props.onDelete(model)} disabled={props.busy}>
                    Delete
                  </button>
                ) : (
                  <button type="button" onClick={() => props.onDownload(model)} disabled={props.busy}>
                    Download
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
