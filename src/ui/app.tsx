import { useState } from 'react';
import type { BackendPreference } from '../core/device-plan.ts';
import { DEFAULT_MODEL_ID, findModel, MODEL_CATALOG } from '../core/model-catalog.ts';
import { DEFAULT_MODEL_SOURCE, type ModelSource } from '../core/model-source.ts';
import { DEFAULT_MAX_NEW_TOKENS } from '../core/rewrite-prompt.ts';
import { useRewriter } from '../app/use-rewriter.ts';
import { BackendStatus } from './backend-status.tsx';
import { GenerationOutput } from './generation-output.tsx';
import { ImageInput } from './image-input.tsx';
import { LoadProgressView } from './load-progress-view.tsx';
import { ModelSettings } from './model-settings.tsx';

export function App() {
  const { state, capabilities, rewrite, stop } = useRewriter();
  const [image, setImage] = useState<File | null>(null);
  const [prompt, setPrompt] = useState('');
  const [modelId, setModelId] = useState(DEFAULT_MODEL_ID);
  const [source, setSource] = useState<ModelSource>(DEFAULT_MODEL_SOURCE);
  const [preference, setPreference] = useState<BackendPreference>('auto');
  const [maxNewTokens, setMaxNewTokens] = useState(DEFAULT_MAX_NEW_TOKENS);

  const busy = state.phase === 'loading' || state.phase === 'generating';
  const model = findModel(modelId);
  const canRewrite = !busy && image !== null && prompt.trim() !== '' && model !== undefined;

  const onSubmit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!canRewrite) return;
    void rewrite({ model, source, preference, image, prompt: prompt.trim(), maxNewTokens });
  };

  return (
    <div className="app">
      <header className="app-header">
        <h1>VLMGuard Web</h1>
        <p>Rewrites a question about an image so any vision-language model answers it safely and usefully. Runs on your device.</p>
      </header>
      <main className="workspace">
        <form className="panel input-panel" onSubmit={onSubmit} aria-label="Rewrite request">
          <ImageInput image={image} onImageChange={setImage} disabled={busy} />
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
          <ModelSettings
            models={MODEL_CATALOG}
            modelId={modelId}
            onModelIdChange={setModelId}
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
          <BackendStatus capabilities={capabilities} model={state.model} />
          {state.phase === 'loading' && <LoadProgressView download={state.download} />}
          {state.phase === 'failed' && (
            <p role="alert" className="error">
              {state.message}
            </p>
          )}
          <GenerationOutput state={state} />
        </section>
      </main>
    </div>
  );
}
