import { OFFERED_MODELS } from '../app/offered-models.ts';
import { useOnlineStatus } from '../app/use-online-status.ts';
import { useRewriteSession } from '../app/use-rewrite-session.ts';
import { AdvancedSettings } from './advanced-settings.tsx';
import { DecisionSettings } from './decision-settings.tsx';
import { DemoGallery } from './demo-gallery.tsx';
import { BACKEND_LABELS, DevicePanel } from './device-panel.tsx';
import { HistoryPanel } from './history-panel.tsx';
import { ImageInput } from './image-input.tsx';
import { LoadProgressView } from './load-progress-view.tsx';
import { ModelManager } from './model-manager.tsx';
import { RemotePanel } from './remote-panel.tsx';
import { RewriterPicker } from './rewriter-picker.tsx';
import { RunView } from './run-view.tsx';

export function App() {
  const online = useOnlineStatus();
  const session = useRewriteSession();
  const { state, form, settings, history, remote, modelCache, busy } = session;
  const scrollToTop = () => window.scrollTo({ top: 0, behavior: 'smooth' });

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
        <form className="panel input-panel" onSubmit={(event) => {
            event.preventDefault();
            void session.submit();
          }} aria-label="Rewrite request">
          <DemoGallery
            disabled={busy}
            onError={form.setImageError}
            onPick={(demo, file) => {
              session.pickImage(file);
              form.setPrompt(demo.prompt);
            }}
          />
          <ImageInput
            image={form.image}
            onImageChange={form.setImage}
            processedSize={session.processedSize}
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
              value={form.prompt}
              onChange={(event) => form.setPrompt(event.target.value)}
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
            choice={session.choice}
            onChoiceChange={form.setRewriterChoice}
            custom={settings.custom}
            onCustomChange={settings.setCustom}
            customIdError={session.customIdError}
            recommendation={session.recommendation}
            disabled={busy}
          />
          <AdvancedSettings
            source={settings.source}
            onSourceChange={settings.setSource}
            preference={settings.preference}
            onPreferenceChange={settings.setPreference}
            maxNewTokens={settings.maxNewTokens}
            onMaxNewTokensChange={settings.setMaxNewTokens}
            disabled={busy}
          />
          <DecisionSettings
            strictness={settings.strictness}
            onStrictnessChange={settings.setStrictness}
            constrained={settings.constrained}
            onConstrainedChange={settings.setConstrained}
            disabled={busy}
          />
          <div className="actions">
            <button type="submit" className="primary" disabled={!session.canRewrite}>
              Rewrite
            </button>
            <button type="button" onClick={session.stop} disabled={state.phase !== 'generating'}>
              Stop
            </button>
          </div>
        </form>
        <section className="panel output-panel" aria-label="Rewriter">
          <DevicePanel capabilities={session.capabilities} model={state.model} />
          {state.phase === 'loading' && (
            <LoadProgressView
              download={state.download}
              backendLabel={state.download.backend ? BACKEND_LABELS[state.download.backend] : 'the runtime'}
              onCancel={session.cancelLoad}
            />
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
          {session.run && <RunView state={session.run} onRefinedPromptEdited={session.editRefinedPrompt} />}
        </section>
      </main>
      <RemotePanel remote={remote} input={session.remoteInput} />
      <ModelManager
        models={OFFERED_MODELS}
        summaries={modelCache.summaries}
        storage={modelCache.storage}
        recommendedId={session.recommendation?.modelId ?? null}
        selectedId={session.choice}
        loadedId={state.model?.modelId ?? null}
        downloadingId={state.phase === 'loading' ? state.download.modelId : null}
        busy={busy}
        onUse={(model) => form.setRewriterChoice(model.id)}
        onDownload={session.downloadModel}
        onDelete={session.deleteModel}
        onPersist={() => void modelCache.persist()}
      />
      <HistoryPanel
        records={history.records}
        problem={history.problem}
        unsavedCount={history.unsavedCount}
        deleted={history.deleted}
        onReuse={(record) => {
          session.reuseRecord(record);
          scrollToTop();
        }}
        onShow={(record) => {
          session.showRecord(record);
          scrollToTop();
        }}
        onDelete={(record) => void history.remove(record.id)}
        onUndoDelete={() => void history.undoRemove()}
        onRetry={() => void history.retry()}
      />
    </div>
  );
}
