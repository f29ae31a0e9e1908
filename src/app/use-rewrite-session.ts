import { useEffect, useState } from 'react';
import { buildHistoryRecord, finalPrompt, type HistoryRecord } from '../core/history-record.ts';
import { recommendModel, type ModelRecord } from '../core/model-catalog.ts';
import { fitImageSize, MODEL_FAMILIES } from '../core/model-families.ts';
import { drawHistoryImages, storedImageOf } from './history-image.ts';
import { OFFERED_MODELS } from './offered-models.ts';
import { readSelectedImage, type SelectedImage } from './read-image.ts';
import { customIdProblem, resolveRewriterChoice, STATIC_DEFENCE_CHOICE, type RewriterChoice } from './rewriter-choice.ts';
import type { LoadRecovery, RunOnScreen } from './run-on-screen.ts';
import { runFromCompleted, runFromRecord } from './shown-result.ts';
import { useCurrentRecord } from './use-current-record.ts';
import { useHistory } from './use-history.ts';
import { useModelCache } from './use-model-cache.ts';
import { useRemote } from './use-remote.ts';
import { useRewriteForm } from './use-rewrite-form.ts';
import { useRewriteSettings } from './use-rewrite-settings.ts';
import { useRewriter } from './use-rewriter.ts';

const FALLBACK_MODEL_ID = 'HuggingFaceTB/SmolVLM-256M-Instruct';

/**
 * Everything the page shows and does, wired together: the form and its draft, the rewriter worker, the
 * result on screen and its history entry, the remote panel, the model cache. The UI only lays it out.
 */
export function useRewriteSession() {
  const { state, capabilities, imageTextStatus, rewrite, stop, loadModel, cancelLoad, forgetModel, forgetImageText, setReadImageText } = useRewriter();
  const history = useHistory();
  const form = useRewriteForm();
  const settings = useRewriteSettings();
  useEffect(() => setReadImageText(settings.readImageText), [setReadImageText, settings.readImageText]);
  const current = useCurrentRecord(history.update);
  const { shown } = current;
  const { image, prompt, setImage, setImageError } = form;
  const remoteInput = shown && { recordId: shown.record.id, image: shown.image, originalPrompt: shown.record.prompt, refinedPrompt: finalPrompt(shown.record) };
  const remote = useRemote(
    remoteInput,
    // By id: the answer belongs to the entry it was sent for, whatever is on screen when it ends.
    (recordId, comparison) => void history.update(recordId, (record) => ({ ...record, remote: comparison })),
  );

  const recommendation = capabilities ? recommendModel(capabilities) : null;
  const choice = form.rewriterChoice ?? recommendation?.modelId ?? FALLBACK_MODEL_ID;
  const rewriter = resolveRewriterChoice(choice, settings.custom);
  const busy = state.phase === 'loading' || state.phase === 'generating';
  const modelCache = useModelCache(
    OFFERED_MODELS.map((model) => model.id),
    busy ? 'busy' : `${state.phase}:${state.model?.modelId ?? ''}`,
  );
  const hasInputs = image !== null && prompt.trim() !== '';
  const canRewrite = !busy && hasInputs && rewriter !== null;
  /** What started the latest model load, for Retry: a rewrite (run again on the inputs as they are then) or a download. */
  const [lastAttempt, setLastAttempt] = useState<{ kind: 'rewrite' } | { kind: 'download'; model: ModelRecord }>({ kind: 'rewrite' });

  const runRewrite = async (chosen: RewriterChoice, selected: SelectedImage) => {
    const { source, preference, maxNewTokens, reasoning, constrained, strictness, readImageText } = settings;
    const request = { rewriter: chosen, source, preference, image: selected.file, prompt: prompt.trim(), maxNewTokens, reasoning, constrained, strictness, readImageText };
    current.show(null);
    // Drawn while the model runs, so the result and its entry appear together when it ends.
    const images = drawHistoryImages(selected.file);
    const done = await rewrite(request);
    if (!done) return;
    const record = buildHistoryRecord({
      id: crypto.randomUUID(),
      createdAt: new Date(),
      image: { name: selected.file.name, original: selected.size, ...(await images) },
      prompt: request.prompt,
      rewrite: done.rewrite,
      model: done.model && chosen.kind === 'model' ? { loaded: done.model, label: chosen.model.label } : null,
      generation: done.generation,
      imageText: done.imageText,
      reasoning: done.reasoning,
    });
    current.show({ run: runFromCompleted(done, request.prompt, performance.now()), record, image: selected.file });
    await history.save(record);
  };

  const submit = async () => {
    if (!canRewrite) return;
    setLastAttempt({ kind: 'rewrite' });
    await runRewrite(rewriter, image);
  };

  /** A way forward from a failed load: the static defence, on the inputs as they are. */
  const runStaticDefenceNow = () => {
    form.setRewriterChoice(STATIC_DEFENCE_CHOICE);
    if (!busy && hasInputs) void runRewrite({ kind: 'static-defence' }, image);
  };

  const downloadModel = (model: ModelRecord) => {
    form.setRewriterChoice(model.id);
    setLastAttempt({ kind: 'download', model });
    loadModel({ model, source: settings.source, preference: settings.preference });
  };

  const retry = () => (lastAttempt.kind === 'rewrite' ? void submit() : downloadModel(lastAttempt.model));

  const failedLoad = state.phase === 'failed' ? state.load : undefined;
  const recovery: LoadRecovery | null = failedLoad
    ? {
        modelLabel: OFFERED_MODELS.find((model) => model.id === failedLoad.modelId)?.label ?? failedLoad.modelId,
        hubUnreachable: failedLoad.kind === 'network',
        retry,
        runStaticDefence: runStaticDefenceNow,
      }
    : null;

  const editRefinedPrompt = (edited: string) => {
    if (!shown) return;
    void current.edit(shown.record.id, (record) => ({ ...record, editedPrompt: edited === record.rewrite.refinedPrompt ? null : edited }));
  };

  const pickImage = (file: File) =>
    void readSelectedImage(file).then((read) => (read.ok ? setImage(read.image) : setImageError(read.message)));

  /** Puts an entry's prompt, rewriter and image back into the form. */
  const reuseRecord = (record: HistoryRecord) => {
    form.setPrompt(record.prompt);
    if (record.model) form.setRewriterChoice(record.model.id);
    const file = storedImageOf(record);
    if (file) pickImage(file);
  };

  const showRecord = (record: HistoryRecord) => {
    // Without a readable image there is nothing to send, but the result can still be read.
    current.show({ run: runFromRecord(record, performance.now()), record, image: storedImageOf(record) ?? new Blob() });
  };

  // A download (or a failed one) leaves the result on screen; a new rewrite replaces it.
  const run: RunOnScreen | null =
    state.phase === 'generating'
      ? state
      : state.phase === 'failed' && !shown
        ? { ...state, ...(recovery && { recovery }) }
        : (shown?.run ?? (state.phase === 'finished' ? state : null));

  return {
    state,
    capabilities,
    form,
    settings,
    history,
    remote,
    remoteInput,
    modelCache,
    recommendation,
    choice,
    customIdError: customIdProblem(choice, settings.custom),
    busy,
    canRewrite,
    /** The result to show: the run in progress, a failure (with its ways forward after a failed load), or the result on screen. */
    run,
    /** The image of the result on screen (its stored copy for an entry from History), for the boxes around its text. */
    runImage: run ? (shown?.image ?? image?.file ?? null) : null,
    /** The ways forward after a failed model load; null otherwise. */
    recovery,
    runStaticDefenceNow,
    /** The size the chosen model will see the image at. */
    processedSize:
      image && rewriter?.kind === 'model' ? fitImageSize(image.size.width, image.size.height, MODEL_FAMILIES[rewriter.model.family].maxImageSide) : null,
    submit,
    stop,
    cancelLoad,
    editRefinedPrompt,
    pickImage,
    reuseRecord,
    showRecord,
    downloadModel,
    /** OCR in the worker: loading, ready or failed (the files' cache is the model manager's). */
    imageTextStatus,
    forgetImageText,
    deleteModel: (model: ModelRecord) => {
      forgetModel(model.id);
      void modelCache.remove(model.id);
    },
  };
}
