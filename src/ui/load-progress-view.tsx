import type { DownloadProgress } from '../app/rewriter-state.ts';
import { formatBytes } from './format.ts';

export function LoadProgressView({ download }: { download: DownloadProgress }) {
  const label = download.stage === 'warming-up' ? 'Preparing the model on the GPU' : 'Loading the model';
  const known = download.total > 0;
  return (
    <div className="load-progress">
      <label>
        <span>{label}</span>
        <progress
          max={known ? download.total : undefined}
          value={known ? download.loaded : undefined}
          aria-valuetext={known ? `${formatBytes(download.loaded)} of ${formatBytes(download.total)}` : undefined}
        />
      </label>
      {known && (
        <p className="muted">
          {formatBytes(download.loaded)} of {formatBytes(download.total)}
        </p>
      )}
      <ul className="file-list">
        {Object.entries(download.files).map(([file, progress]) => (
          <li key={file}>
            {file}: {progress.done ? 'done' : `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
