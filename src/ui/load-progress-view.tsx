import { downloadSpeed, type DownloadProgress } from '../app/rewriter-state.ts';
import { formatBytes } from '../core/units.ts';

interface LoadProgressViewProps {
  download: DownloadProgress;
  backendLabel: string;
  onCancel: () => void;
}

/** Download, then loading into the backend, then (WebGPU) warm-up: each a visible step. */
export function LoadProgressView({ download, backendLabel, onCancel }: LoadProgressViewProps) {
  const known = download.total > 0;
  const downloaded = known && download.loaded >= download.total;
  const stage =
    download.stage === 'warming-up'
      ? 'Warming up: compiling the GPU shaders once'
      : downloaded
        ? `Loading the model into ${backendLabel}`
        : `Downloading ${download.modelId}`;
  const speed = downloadSpeed(download);
  return (
    <div className="load-progress" data-testid="load-progress">
      <div className="field">
        <label htmlFor="load-progress-bar">{stage}</label>
        <progress
          id="load-progress-bar"
          max={known ? download.total : undefined}
          value={known ? download.loaded : undefined}
          aria-valuetext={known ? `${formatBytes(download.loaded)} of ${formatBytes(download.total)}` : undefined}
        />
      </div>
      <p className="muted" data-testid="download-bytes">
        {known ? `${formatBytes(download.loaded)} of ${formatBytes(download.total)}` : 'Checking the model files…'}
        {speed !== null && !downloaded && ` · ${formatBytes(speed)}/s`}
      </p>
      <details>
        <summary>Files</summary>
        <ul className="file-list">
          {Object.entries(download.files).map(([file, progress]) => (
            <li key={file}>
              {file}: {progress.done ? 'done' : `${formatBytes(progress.loaded)} of ${formatBytes(progress.total)}`}
            </li>
          ))}
        </ul>
      </details>
      {download.stage === 'downloading' && !downloaded && (
        <button type="button" onClick={onCancel}>
          Cancel download
        </button>
      )}
    </div>
  );
}
