import type { RuntimeCapabilities } from '../core/runtime-capabilities.ts';
import type { LoadedModel } from '../core/rewriter-api.ts';

interface DevicePanelProps {
  capabilities: RuntimeCapabilities | null;
  model: LoadedModel | null;
}

export const BACKEND_LABELS = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' } as const;

/** Which backend runs the model, what the device offers, and why each choice was made. */
export function DevicePanel({ capabilities, model }: DevicePanelProps) {
  const browser = capabilities?.runtime === 'browser' ? capabilities : null;
  const gpu = browser?.webgpu;
  return (
    <section className="device-panel" aria-label="Device">
      <div className="backend-line">
        {model ? (
          <strong className="backend-label" data-testid="backend-label">
            {BACKEND_LABELS[model.plan.backend]}
          </strong>
        ) : (
          <strong className="backend-label muted">No model loaded</strong>
        )}
        <span data-testid="backend-reason">{model ? model.plan.reason : gpu ? describeGpu(gpu) : 'Looking for a WebGPU adapter…'}</span>
      </div>
      {model?.uncachedFiles ? (
        <p role="status" className="notice" data-testid="uncached-notice">
          The browser&apos;s storage is full, so this model could not be kept on this device: it works now, and downloads
          again next time. Free some space or delete cached models in the model manager.
        </p>
      ) : null}
      {model?.webGpuFailure && (
        <p className="notice">WebGPU failed, so WASM took over. Details: {model.webGpuFailure}</p>
      )}
      {browser && (
        <details>
          <summary>Device details</summary>
          <dl className="device-facts">
            <dt>WebGPU</dt>
            <dd>{gpu?.available ? gpu.adapterDescription : `none (${gpu?.reason ?? 'unknown'})`}</dd>
            <dt>shader-f16</dt>
            <dd>{gpu?.available ? (gpu.shaderF16 ? 'yes: half-precision weights' : 'no: full-precision activations') : '—'}</dd>
            <dt>Cross-origin isolated</dt>
            <dd>{browser.crossOriginIsolated ? 'yes: WASM can use threads' : 'no: WASM runs on one thread'}</dd>
            <dt>CPU threads</dt>
            <dd>
              {browser.hardwareConcurrency}
              {model?.plan.wasmThreads ? ` (${model.plan.wasmThreads} used by WASM)` : ''}
            </dd>
            <dt>Memory</dt>
            <dd>{browser.deviceMemoryGB ? `about ${browser.deviceMemoryGB} GB` : 'not reported by this browser'}</dd>
            {model && (
              <>
                <dt>Weights</dt>
                <dd>
                  embeddings {model.plan.dtypes.embed_tokens}, vision {model.plan.dtypes.vision_encoder}, decoder{' '}
                  {model.plan.dtypes.decoder_model_merged}
                </dd>
                <dt>Load time</dt>
                <dd>{(model.loadMs / 1000).toFixed(1)} s</dd>
              </>
            )}
          </dl>
        </details>
      )}
    </section>
  );
}

function describeGpu(gpu: Extract<RuntimeCapabilities, { runtime: 'browser' }>['webgpu']): string {
  return gpu.available
    ? `WebGPU available (${gpu.adapterDescription}${gpu.shaderF16 ? ', shader-f16' : ', no shader-f16'}).`
    : `No WebGPU: ${gpu.reason}. Models will run on WASM.`;
}
