import { useMemo, useState } from 'react';
import { useModelCache } from '../app/use-model-cache.ts';
import { useOnlineStatus } from '../app/use-online-status.ts';
import { useDraft } from '../app/use-draft.ts';
import { useHistory } from '../app/use-history.ts';
import { createThumbnailDataUrl } from '../app/history-store.ts';
import { readSelectedImage } from '../app/read-image.ts';
import { buildHistoryRecord, type HistoryRecord } from '../core/history-record.ts';
import { DemoGallery } from './demo-gallery.tsx';
import { HistoryPanel } from './history-panel.tsx';
import { RemotePanel } from './remote-panel.tsx';
import { useRemote } from '../app/use-remote.ts';
import { useRewriter, type RewriterChoice } from '../app/use-rewriter.ts';
import { planDevice } from '../core/device-plan.ts';
import { fitImageSize, MODEL_FAMILIES } from '../core/model-families.ts';
import type { BackendPreference } from '../core/device-plan.ts';
import { customModel, findModel, isValidModelId, MODEL_CATALOG, recommendModel } from '../core/model-catalog.ts';
import { DEFAULT_MODEL_SOURCE, type ModelSource } from '../core/model-source.ts';
import { parseRewriteOutput } from '../core/rewrite-parser.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import { AdvancedSettings } from './advanced-settings.tsx';
import { BACKEND_LABELS, DevicePanel } from './device-panel.tsx';
import { GenerationOutput } from './generation-output.tsx';
import { ImageInput } from './image-input.tsx';
import type { SelectedImage } from '../app/read-image.ts';
import { LoadProgressView } from './load-progress-view.tsx';
import { ModelManager } from './model-manager.tsx';
import { RefinedPromptView } from './refined-prompt-view.tsx';
import { RewriterPicker, CUSTOM_MODEL_CHOICE, STATIC_DEFENCE_CHOICE, type CustomModelInput } from './rewriter-picker.tsx';
import { RiskAnalysisView } from './risk-analysis-view.tsx';

const FALLBACK_MODEL_ID = 'HuggingFaceTB/SmolVLM-256M-Instruct';

export function App() {
  const { state, capabilities, rewrite, stop, loadModel, cancelLoad } = useRewriter();
  const online = useOnlineStatus();
  const history = useHistory();
  const [image, setImageState] = useState<SelectedImage | null>(null);
  const [prompt, setPromptState] = useState('');
  const [userChoice, setUserChoiceState] = useState<string | null>(null);
  const [imageError, setImageError] = useState<string | null>(null);
  const [lastRecord, setLastRecord] = useState<HistoryRecord | null>(null);
  // A remote answer belongs to the rewrite it was sent for; saved into that history entry.
  const remote = useRemote((comparison) => {
    setLastRecord((record) => {
      if (!record) return record;
      const updated = { ...record, remote: comparison };
      void history.save(updated);
      return updated;
    });
  });
  const [refinedEdit, setRefinedEdit] = useState<string | null>(null);

  const draft = useDraft(async (saved) => {
    if (saved.rewriterId) setUserChoiceState(saved.rewriterId);
    setPromptState((typed) => typed || saved.prompt);
    if (saved.image) {
      const read = await readSelectedImage(saved.image);
      if (read.ok) setImageState((chosen) => chosen ?? read.image);
    }
  });
  const setPrompt = (text: string) => {
    setPromptState(text);
    draft.savePrompt(text);
  };
  const setImage = (selected: SelectedImage) => {
    setImageState(selected);
    setImageError(null);
    draft.saveImage(selected.file);
  };
  const setUserChoice = (id: string) => {
    setUserChoiceState(id);
    draft.saveRewriterId(id);
  };
  const [custom, setCustom] = useState<CustomModelInput>({ id: '', family: 'smolvlm' });
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [maxNewTokens, setMaxNewTokens] = useState(DEFAULT_MAX_NEW_TOKENS);

  const recommendation = capabilities ? recommendModel(capabilities) : null;
  const choice = userChoice ?? recommendation?.modelId ?? FALLBACK_MODEL_ID;
  const customIdError =
    choice === CUSTOM_MODEL_CHOICE && custom.id !== '' && !isValidModelId(custom.id)
      ? 'A model id looks like org/name (letters, digits, ".", "_" and "-").'
      : null;
  const rewriter = toRewriterChoice(choice, custom);

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
    const request = { rewriter, source, preference, image: image.file, prompt: prompt.trim(), maxNewTokens };
    const done = await rewrite(request);
    if (!done) return;
    const record = buildHistoryRecord({
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
    });
    setLastRecord(record);
    setRefinedEdit(null);
    await history.save(record);
  };

  const onRefinedPromptEdited = (edited: string) => {
    setRefinedEdit(edited);
    if (!lastRecord) return;
    const record = { ...lastRecord, editedPrompt: edited === lastRecord.rewrite.refinedPrompt ? null : edited };
    setLastRecord(record);
    void history.save(record);
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
          {imageError && (
            <p role="alert" className="error">
              {imageError}
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
            onChoiceChange={setUserChoice}
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
        onUse={(model) => setUserChoice(model.id)}
        onDownload={(model) => {
          setUserChoice(model.id);
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
          if (record.model) setUserChoice(record.model.id);
          window.scrollTo({ top: 0, behavior: 'smooth' });
        }}
        onDelete={(record) => void history.remove(record.id)}
      />
    </div>
  );
}

interface RunViewProps {
  state: Parameters<typeof GenerationOutput>[0]['state'];
  onRefinedPromptEdited: (edited: string) => void;
}

function RunView({ state, onRefinedPromptEdited }: RunViewProps) {
  const parsed = useMemo(() => parseRewriteOutput(state.output), [state.output]);
  const ranModel = state.phase !== 'finished' || state.generation !== null;
  return (
    <>
      <GenerationOutput state={state} />
      {ranModel && (state.output || state.phase === 'generating') && (
        <RiskAnalysisView
          analysis={state.phase === 'finished' ? state.rewrite.analysis : parsed}
          openSection={parsed.openSection}
          streaming={state.phase === 'generating'}
        />
      )}
      {state.phase === 'finished' && (
        <RefinedPromptView
          key={state.startedAt}
          originalPrompt={state.prompt}
          rewrite={state.rewrite}
          onEditCommitted={onRefinedPromptEdited}
        />
      )}
    </>
  );
}

function toRewriterChoice(choice: string, custom: CustomModelInput): RewriterChoice | null {
  if (choice === STATIC_DEFENCE_CHOICE) return { kind: 'static-defence' };
  if (choice === CUSTOM_MODEL_CHOICE) {
    return isValidModelId(custom.id) ? { kind: 'model', model: customModel(custom.id, custom.family) } : null;
  }
  const model = findModel(choice);
  return model ? { kind: 'model', model } : null;
}
