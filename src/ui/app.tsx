import { useState } from 'react';
import { createThumbnailDataUrl } from '../app/history-store.ts';
import { readSelectedImage } from '../app/read-image.ts';
import { useCurrentRecord } from '../app/use-current-record.ts';
import { useHistory } from '../app/use-history.ts';
import { useModelCache } from '../app/use-model-cache.ts';
import { useOnlineStatus } from '../app/use-online-status.ts';
import { useRemote } from '../app/use-remote.ts';
import { useRewriteForm } from '../app/use-rewrite-form.ts';
import { useRewriter } from '../app/use-rewriter.ts';
import { planDevice, type BackendPreference } from '../core/device-plan.ts';
import { buildHistoryRecord } from '../core/history-record.ts';
import { isValidModelId, MODEL_CATALOG, recommendModel } from '../core/model-catalog.ts';
import { fitImageSize, MODEL_FAMILIES } from '../core/model-families.ts';
import { DEFAULT_MODEL_SOURCE, type ModelSource } from '../core/model-source.ts';
import { DEFAULT_STRICTNESS } from '../core/rewrite-decision.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import { AdvancedSettings } from './advanced-settings.tsx';
import { DecisionSettings } from './decision-settings.tsx';
import { DemoGallery } from './demo-gallery.tsx';
import { BACKEND_LABELS, DevicePanel } from './device-panel.tsx';
import { HistoryPanel } from './history-panel.tsx';
import { ImageInput } from './image-input.tsx';
import { LoadProgressView } from './load-progress-view.tsx';
import { ModelManager } from './model-manager.tsx';
import { RemotePanel } from './remote-panel.tsx';
import { CUSTOM_MODEL_CHOICE, resolveRewriterChoice, RewriterPicker, type CustomModelInput } from './rewriter-picker.tsx';
import { RunView } from './run-view.tsx';

const FALLBACK_MODEL_ID = 'HuggingFaceTB/SmolVLM-256M-Instruct';

export function App() {
  const { state, capabilities, rewrite, stop, loadModel, cancelLoad } = useRewriter();
  const online = useOnlineStatus();
  const history = useHistory();
  const form = useRewriteForm();
  const { image, prompt, setImage, setPrompt, setImageError } = form;
  const current = useCurrentRecord(history.save);
  const remote = useRemote((comparison) => void current.update((record) => ({ ...record, remote: comparison })));
  const [refinedEdit, setRefinedEdit] = useState<string | null>(null);
  const [custom, setCustom] = useState<CustomModelInput>({ id: '', family: 'smolvlm' });
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [maxNewTokens, setMaxNewTokens] = useState(DEFAULT_MAX_NEW_TOKENS);
  const [strictness, setStrictness] = useState(DEFAULT_STRICTNESS);
  const [constrained, setConstrained] = useState(true);

  const recommendation = capabilities ? recommendModel(capabilities) : null;
  const choice = form.rewriterChoice ?? recommendation?.modelId ?? FALLBACK_MODEL_ID;
  const customIdError =
    choice === CUSTOM_MODEL_CHOICE && custom.id !== '' && !isValidModelId(custom.id)
      ? 'A model id looks like org/name (letters, digits, ".", "_" and "-").'
      : null;
  const rewriter = resolveRewriterChoice(choice, custom);

  const busy = state.phase === 'loading' || state.phase === 'generating';
  const modelCache = useModelCache(
    MODEL_CATALOG.map((model) => model.id),
    busy ? 'busy' : `${state.phase}:${state.model?.modelId ?? ''}`,
  );
  const plannedBackend =
    capabilities && rewriter?.kind === 'model' ? BACKEND_LABELS[planDevice(capabilities, rewriter.model, preference).backend] : 'the runtime';
  const canRewrite = !busy && image !== null && prompt.trim() !== '' && rewriter !== null;

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!canRewrite) return;
    const request = { rewriter, source, preference, image: image.file, prompt: prompt.trim(), maxNewTokens, constrained, strictness };
    const done = await rewrite(request);
    if (!done) return;
    setRefinedEdit(null);
    await current.replace(
      buildHistoryRecord({
        id: crypto.randomUUID(),
        createdAt: new Date(),
        image: {
          name: image.file.name,
          thumbnailDataUrl: await createThumbnailDataUrl(image.file).catch(() => ''),
          original: image.size,
        },
        prompt: request.prompt,
        rewrite: done.rewrite,
        model: done.model && rewriter.kind === 'model' ? { loaded: done.model, label: rewriter.model.label } : null,
        generation: done.generation,
      }),
    );
  };

  const onRefinedPromptEdited = (edited: string) => {
    setRefinedEdit(edited);
    void current.update((record) => ({ ...record, editedPrompt: edited === record.rewrite.refinedPrompt ? null : edited }));
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>VLMGuard Web</h1>
        <p>Rewrites a question about an image so any vision-language model answers it safely and usefully. Runs on your device.</p>
        {!online && (
          <p role="status" className="notice" data-testid="offline-notice">
            You are offline. Models already on this device still work; downloads and remote models need a connection.
          </p>
        )}
      </header>
      <main className="workspace">
        <form className="panel input-panel" onSubmit={(event) => void onSubmit(event)} aria-label="Rewrite request">
          <DemoGallery
            disabled={busy}
            onError={setImageError}
            onPick={(demo, file) => {
              void readSelectedImage(file).then((read) => (read.ok ? setImage(read.image) : setImageError(read.message)));
              setPrompt(demo.prompt);
            }}
          />
          <ImageInput
            image={image}
            onImageChange={setImage}
            processedSize={image && rewriter?.kind === 'model' ? fitImageSize(image.size.width, image.size.height, MODEL_FAMILIES[rewriter.model.family].maxImageSide) : null}
            disabled={busy}
          />
          {form.imageError && (
            <p role="alert" className="error">
              {form.imageError}
            </p>
          )}
          <div className="field">
            <label htmlFor="prompt">Prompt</label>
            <textarea
              id="prompt"
              value={prompt}
              onChange={(event) => setPrompt(event.target.value)}
              rows={4}
              placeholder="What do you want to ask about the image?"
            />
          </div>
          <RewriterPicker
            models={MODEL_CATALOG}
            choice={choice}
            onChoiceChange={form.setRewriterChoice}
            custom={custom}
            onCustomChange={setCustom}
            customIdError={customIdError}
            recommendation={recommendation}
            disabled={busy}
          />
          <AdvancedSettings
            source={source}
            onSourceChange={setSource}
            preference={preference}
            onPreferenceChange={setPreference}
            maxNewTokens={maxNewTokens}
            onMaxNewTokensChange={setMaxNewTokens}
            disabled={busy}
          />
          <DecisionSettings
            strictness={strictness}
            onStrictnessChange={setStrictness}
            constrained={constrained}
            onConstrainedChange={setConstrained}
            disabled={busy}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={!canRewrite}>
              Rewrite
            </button>
            <button type="button" onClick={stop} disabled={state.phase !== 'generating'}>
              Stop
            </button>
          </div>
        </form>
        <section className="panel output-panel" aria-label="Rewriter">
          <DevicePanel capabilities={capabilities} model={state.model} />
          {state.phase === 'loading' && (
            <LoadProgressView download={state.download} backendLabel={plannedBackend} onCancel={cancelLoad} />
          )}
          {state.phase === 'idle' && state.notice && (
            <p role="status" className="notice">
              {state.notice}
            </p>
          )}
          {state.phase === 'failed' && (
            <p role="alert" className="error">
              {state.message}
            </p>
          )}
          {(state.phase === 'generating' || state.phase === 'finished' || state.phase === 'failed') && (
            <RunView state={state} onRefinedPromptEdited={onRefinedPromptEdited} />
          )}
        </section>
      </main>
      <RemotePanel
        remote={remote}
        input={
          state.phase === 'finished' && image
            ? { image: image.file, originalPrompt: state.prompt, refinedPrompt: refinedEdit ?? state.rewrite.refinedPrompt }
            : null
        }
      />
      <ModelManager
        models={MODEL_CATALOG}
        summaries={modelCache.summaries}
        storage={modelCache.storage}
        recommendedId={recommendation?.modelId ?? null}
        selectedId={choice}
        loadedId={state.model?.modelId ?? null}
        downloadingId={state.phase === 'loading' ? state.download.modelId : null}
        busy={busy}
        onUse={(model) => form.setRewriterChoice(model.id)}
        onDownload={(model) => {
          form.setRewriterChoice(model.id);
          loadModel({ model, source, preference });
        }}
        onDelete={(model) => void modelCache.remove(model.id)}
        onPersist={() => void modelCache.persist()}
      />
      <HistoryPanel
        records={history.records}
        problem={history.problem}
        onReuse={(record) => {
          setPrompt(record.prompt);
          if (record.model) form.setRewriterChoice(record.model.id);
          window.scrollTo({ top: 0, behavior: 'smooth' });
        }}
        onDelete={(record) => void history.remove(record.id)}
      />
    </div>
  );
}
