import type { KeyboardEvent } from 'react';
import { OFFERED_MODELS } from '../app/offered-models.ts';
import type { AppSession } from './app-session.ts';
import { DemoGallery } from './demo-gallery.tsx';
import { ImageInput } from './image-input.tsx';
import { RewriterPicker } from './rewriter-picker.tsx';

/** Ctrl+Enter, or ⌘+Enter on a Mac, from anywhere in the form. */
function isSubmitShortcut(event: KeyboardEvent): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
}

/** Step 1 of the story: the image, the question and the rewriter, then Rewrite. */
export function RewriteForm({ session }: { session: AppSession }) {
  const { state, form, settings, busy } = session;
  return (
    <form
      className="panel input-panel"
      aria-labelledby="input-title"
      onSubmit={(event) => {
        event.preventDefault();
        void session.submit();
      }}
      onKeyDown={(event) => {
        if (!isSubmitShortcut(event)) return;
        event.preventDefault();
        if (session.canRewrite) void session.submit();
      }}
    >
      <h2 id="input-title" className="step-title">
        <span className="step-number" aria-hidden="true">1</span> Image and question
      </h2>
      <DemoGallery
        disabled={busy}
        onError={form.setImageError}
        onPick={(demo, file) => {
          session.pickImage(file);
          form.setPrompt(demo.prompt);
        }}
      />
      <div className="image-slot">
        <ImageInput image={form.image} onImageChange={form.setImage} processedSize={session.processedSize} disabled={busy} />
      </div>
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
          rows={3}
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
      <div className="actions">
        <button type="submit" className="primary" disabled={!session.canRewrite} aria-keyshortcuts="Control+Enter Meta+Enter">
          Rewrite
        </button>
        <button type="button" onClick={session.stop} disabled={state.phase !== 'generating' || state.staticDefence}>
          Stop
        </button>
        <span className="muted shortcut-hint">
          or <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </span>
      </div>
    </form>
  );
}
