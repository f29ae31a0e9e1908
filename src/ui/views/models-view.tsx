import { OFFERED_MODELS } from '../../app/offered-models.ts';
import { useImageTextCache } from '../../app/use-image-text-cache.ts';
import type { AppSession } from '../app-session.ts';
import { DevicePanel } from '../device-panel.tsx';
import { ImageTextModelPanel } from '../image-text-model-panel.tsx';
import { ModelManager } from '../model-manager.tsx';

/** The catalog with what is cached, the OCR model, and what this device offers the model. */
export function ModelsView({ session }: { session: AppSession }) {
  const { state, form, modelCache, imageTextStatus } = session;
  // Re-read as OCR loads (its files are cached as they arrive) and after a rewrite.
  const imageTextCache = useImageTextCache(`${imageTextStatus.kind}:${session.busy}`);
  return (
    <div className="models-view">
      <ModelManager
        models={OFFERED_MODELS}
        summaries={modelCache.summaries}
        storage={modelCache.storage}
        recommendedId={session.recommendation?.modelId ?? null}
        selectedId={session.choice}
        loadedId={state.model?.modelId ?? null}
        downloadingId={state.phase === 'loading' ? state.download.modelId : null}
        busy={session.busy}
        onUse={(model) => form.setRewriterChoice(model.id)}
        onDownload={session.downloadModel}
        onDelete={session.deleteModel}
        onPersist={() => void modelCache.persist()}
      />
      <div className="models-side">
        <ImageTextModelPanel
          cached={imageTextCache.cached}
          status={imageTextStatus}
          enabled={session.settings.readImageText}
          busy={session.busy}
          onDelete={() => void imageTextCache.remove().then(session.forgetImageText)}
        />
        <div className="panel device-view">
          <h2>This device</h2>
          <DevicePanel capabilities={session.capabilities} model={state.model} />
        </div>
      </div>
    </div>
  );
}
