import type { RuntimeCapabilities } from '../core/device-plan.ts';
import type { LoadedModel } from '../core/rewriter-api.ts';

interface BackendStatusProps {
  capabilities: RuntimeCapabilities | null;
  model: LoadedModel | null;
}

const BACKEND_LABELS = { webgpu: 'WebGPU', wasm: 'WASM', cpu: 'CPU' } as const;

export function BackendStatus({ capabilities, model }: BackendStatusProps) {
  if (model) {
    return (
      <div className="backend-status" aria-label="Backend">
        <strong data-testid="backend-label">{BACKEND_LABELS[model.plan.backend]}</strong>
        <span>{model.plan.reason}</span>
        {model.webGpuFailure && <span>WebGPU failed and WASM took over: {model.webGpuFailure}</span>}
      </div>
    );
  }
  if (capabilities?.runtime === 'browser') {
    const gpu = capabilities.webgpu;
    return (
      <div className="backend-status" aria-label="Backend">
        <span>
          {gpu.available
            ? `WebGPU available (${gpu.adapterDescription}${gpu.shaderF16 ? ', shader-f16' : ''}).`
            : `No WebGPU: ${gpu.reason}. The model will run on WASM.`}
        </span>
      </div>
    );
  }
  return null;
}
