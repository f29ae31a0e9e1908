import { useState } from 'react';
import { createModelImageDataUrl, fileFromDataUrl } from '../app/history-image.ts';
import { createThumbnailDataUrl } from '../app/history-store.ts';
import { OFFERED_MODELS } from '../app/offered-models.ts';
import { readSelectedImage } from '../app/read-image.ts';
import { runFromCompleted, runFromRecord } from '../app/shown-result.ts';
import { useCurrentRecord } from '../app/use-current-record.ts';
import { useHistory } from '../app/use-history.ts';
import { useModelCache } from '../app/use-model-cache.ts';
import { useOnlineStatus } from '../app/use-online-status.ts';
import { useRemote } from '../app/use-remote.ts';
import { useRewriteForm } from '../app/use-rewrite-form.ts';
import { useRewriter } from '../app/use-rewriter.ts';
import { planDevice, type BackendPreference } from '../core/device-plan.ts';
import { buildHistoryRecord, finalPrompt, type HistoryRecord } from '../core/history-record.ts';
import { isValidModelId, recommendModel } from '../core/model-catalog.ts';
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
  const { state, capabilities, rewrite, stop, loadModel, cancelLoad, forgetModel } = useRewriter();
  const online = useOnlineStatus();
  const history = useHistory();
  const form = useRewriteForm();
  const { image, prompt, setImage, setPrompt, setImageError } = form;
  const current = useCurrentRecord(history.update);
  const { shown } = current;
  const remoteInput = shown && { recordId: shown.record.id, image: shown.image, originalPrompt: shown.record.prompt, refinedPrompt: finalPrompt(shown.record) };
  const remote = useRemote(
    remoteInput,
    // By id: the answer belongs to the entry it was sent for, whatever is on screen when it ends.
    (recordId, comparison) => void history.update(recordId, (record) => ({ ...record, remote: comparison })),
  );
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
    OFFERED_MODELS.map((model) => model.id),
    busy ? 'busy' : `${state.phase}:${state.model?.modelId ?? ''}`,
  );
  const plannedBackend =
    capabilities && rewriter?.kind === 'model' ? BACKEND_LABELS[planDevice(capabilities, rewriter.model, preference).backend] : 'the runtime';
  const canRewrite = !busy && image !== null && prompt.trim() !== '' && rewriter !== null;

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!canRewrite) return;
    const request = { rewriter, source, preference, image: image.file, prompt: prompt.trim(), maxNewTokens, constrained, strictness };
    current.show(null);
    // Drawn while the model runs, so the result and its entry appear together when it ends.
    const images = Promise.all([
      createThumbnailDataUrl(image.file).catch(() => ''),
      createModelImageDataUrl(image.file).catch(() => undefined),
    ]);
    const done = await rewrite(request);
    if (!done) return;
    const [thumbnailDataUrl, modelImageDataUrl] = await images;
    const record = buildHistoryRecord({
      id: crypto.randomUUID(),
      createdAt: new Date(),
      image: { name: image.file.name, thumbnailDataUrl, original: image.size, modelImageDataUrl },
      prompt: request.prompt,
      rewrite: done.rewrite,
      model: done.model && rewriter.kind === 'model' ? { loaded: done.model, label: rewriter.model.label } : null,
      generation: done.generation,
    });
    current.show({ run: runFromCompleted(done, request.prompt, performance.now()), record, image: image.file });
    await history.save(record);
  };

  const onRefinedPromptEdited = (edited: string) => {
    if (!shown) return;
    void current.edit(shown.record.id, (record) => ({ ...record, editedPrompt: edited === record.rewrite.refinedPrompt ? null : edited }));
  };

  /** The stored copy of the image the model saw; the thumbnail for entries saved before it was kept. */
  const storedImage = (record: HistoryRecord) =>
    fileFromDataUrl(record.image.modelImageDataUrl ?? record.image.thumbnailDataUrl, record.image.name);

  // A download (or a failed one) leaves the result on screen; a new rewrite replaces it.
  const run = state.phase === 'generating' || (state.phase === 'failed' && !shown) ? state : (shown?.run ?? (state.phase === 'finished' ? state : null));

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
          {form.draftProblem && (
            <div role="alert" className="error">
              <p>{form.draftProblem} What you entered is still here.</p>
              <button type="button" onClick={form.retryDraft}>
                Retry saving the draft
              </button>
            </div>
          )}
          <RewriterPicker
            models={OFFERED_MODELS}
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
          {run && <RunView state={run} onRefinedPromptEdited={onRefinedPromptEdited} />}
        </section>
      </main>
      <RemotePanel remote={remote} input={remoteInput} />
      <ModelManager
        models={OFFERED_MODELS}
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
        onDelete={(model) => {
          forgetModel(model.id);
          void modelCache.remove(model.id);
        }}
        onPersist={() => void modelCache.persist()}
      />
      <HistoryPanel
        records={history.records}
        problem={history.problem}
        unsavedCount={history.unsavedCount}
        deleted={history.deleted}
        onReuse={(record) => {
          setPrompt(record.prompt);
          if (record.model) form.setRewriterChoice(record.model.id);
          const file = storedImage(record);
          if (file) void readSelectedImage(file).then((read) => (read.ok ? setImage(read.image) : setImageError(read.message)));
          window.scrollTo({ top: 0, behavior: 'smooth' });
        }}
        onShow={(record) => {
          const file = storedImage(record);
          // Without a readable image there is nothing to send, but the result can still be read.
          current.show({ run: runFromRecord(record, performance.now()), record, image: file ?? new Blob() });
          window.scrollTo({ top: 0, behavior: 'smooth' });
        }}
        onDelete={(record) => void history.remove(record.id)}
        onUndoDelete={() => void history.undoRemove()}
        onRetry={() => void history.retry()}
      />
    </div>
  );
}
