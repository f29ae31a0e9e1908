import { useCallback, useRef, useState } from 'react';
import type { RemoteAnswer, RemoteComparison } from '../core/history-record.ts';
import type { EncodedImage, RemoteChatRequest } from '../remote/chat-request.ts';
import { ENDPOINT_PRESETS, findPreset, isPresetId } from '../remote/endpoint-presets.ts';
import { hostOf, normalizeBaseUrl } from '../remote/endpoint-url.ts';
import { MAX_IMAGE_SIDE_RANGE, reencodeImage } from '../remote/image-encoding.ts';
import { describePayload, summarizePayload, type PayloadPreview } from '../remote/payload-preview.ts';
import { listRemoteModels, sendRemoteChat, validateRemoteRequest } from '../remote/remote-client.ts';
import {
  applyPreset,
  browserStorage,
  isEndpointConfirmed,
  loadRememberedApiKey,
  loadRemoteSettings,
  saveApiKey,
  saveRemoteSettings,
  withEndpointConfirmed,
  type RemoteSettings,
} from '../remote/remote-settings.ts';
import {
  currentProblem,
  isSending,
  sameContext,
  startRuns,
  updateRun,
  visibleRuns,
  withoutErrors,
  type AnswerSlot,
  type RemoteContext,
  type RemoteProblem,
  type RemoteRuns,
} from './remote-runs.ts';

export type { AnswerSlot, RemoteRun } from './remote-runs.ts';

export interface SendInput {
  /** The history entry the answers are saved with. */
  recordId: string;
  image: Blob;
  originalPrompt: string;
  refinedPrompt: string;
  /** 'compare' sends both prompts with the same image and settings. */
  mode: 'refined' | 'compare';
}

export interface PreparedSend {
  refined: RemoteChatRequest;
  /** Set in compare mode: the same image and settings with the original prompt. */
  original: RemoteChatRequest | null;
  preview: PayloadPreview;
  recordId: string;
  context: RemoteContext;
}

/** What the panel would send now; null until a rewrite has finished. */
export type RemoteInput = Omit<SendInput, 'mode'>;

/**
 * The remote-VLM panel's state: settings (no key on disk unless opted in), preview, sends, answers.
 * `onFinished` gets each send's answers with the id of the entry they were sent for.
 */
export function useRemote(input: RemoteInput | null, onFinished: (recordId: string, comparison: RemoteComparison) => void) {
  const [storage] = useState(browserStorage);
  const [settings, setSettingsState] = useState<RemoteSettings>(() => loadRemoteSettings(storage));
  const [apiKey, setApiKeyState] = useState(() => loadRememberedApiKey(storage, settings.baseUrl));
  const [runs, setRuns] = useState<RemoteRuns | null>(null);
  const [pending, setPending] = useState<PreparedSend | null>(null);
  const [problem, setProblemState] = useState<RemoteProblem | null>(null);
  const [models, setModels] = useState<string[]>([]);
  const abortRef = useRef<AbortController | null>(null);
  const lastSendId = useRef(0);

  // Errors, answers and previews belong to the settings and inputs they were made with, and are
  // shown only while those still hold.
  const context: RemoteContext = {
    presetId: settings.presetId,
    baseUrl: settings.baseUrl,
    model: settings.model,
    apiKey,
    sendImage: settings.sendImage,
    maxImageSide: settings.maxImageSide,
    recordId: input?.recordId ?? null,
    originalPrompt: input?.originalPrompt ?? '',
    refinedPrompt: input?.refinedPrompt ?? '',
  };
  const setProblem = (message: string | null) => setProblemState(message === null ? null : { message, context });
  // When they change, errors and a preview go for good (changing back does not bring an old error
  // back); the tags above also keep out what an await from before the change reports after it.
  const [seenContext, setSeenContext] = useState(context);
  if (!sameContext(seenContext, context)) {
    setSeenContext(context);
    setRuns(withoutErrors);
    setProblemState(null);
    setPending(null);
  }

  const setSettings = useCallback(
    (next: RemoteSettings) => {
      // A remembered key belongs to one endpoint: another base URL brings its own (or none).
      if (next.baseUrl !== settings.baseUrl) setApiKeyState(loadRememberedApiKey(storage, next.baseUrl));
      setSettingsState(next);
      saveRemoteSettings(storage, next);
    },
    [storage, settings.baseUrl],
  );

  const setApiKey = useCallback(
    (key: string) => {
      setApiKeyState(key);
      saveApiKey(storage, settings, key);
    },
    [storage, settings],
  );

  const setRememberKey = useCallback(
    (rememberKey: boolean) => {
      const next = { ...settings, rememberKey };
      setSettings(next);
      saveApiKey(storage, next, apiKey);
    },
    [settings, setSettings, storage, apiKey],
  );

  const endpoint = () => {
    const url = normalizeBaseUrl(settings.baseUrl);
    return url.ok ? { presetId: settings.presetId, baseUrl: url.url, apiKey } : null;
  };

  /** Re-encodes the image once and builds the exact requests; null (with a message) when the settings are unusable. */
  const prepare = async (input: SendInput): Promise<PreparedSend | null> => {
    const target = endpoint();
    if (!target) {
      setProblem('Enter the endpoint’s base URL, e.g. http://localhost:11434/v1.');
      return null;
    }
    let image: EncodedImage | null = null;
    if (settings.sendImage) {
      try {
        image = await reencodeImage(input.image, settings.maxImageSide);
      } catch (error) {
        setProblem(`The image could not be prepared for sending: ${String(error)}`);
        return null;
      }
    }
    const request = (text: string): RemoteChatRequest => ({
      endpoint: target,
      model: settings.model.trim(),
      text,
      image,
      maxTokens: settings.maxTokens,
      temperature: settings.temperature,
    });
    const refined = request(input.refinedPrompt);
    const invalid = validateRemoteRequest(refined, window.location.origin);
    if (invalid) {
      setProblem(invalid.message);
      return null;
    }
    setProblem(null);
    return {
      refined,
      original: input.mode === 'compare' ? request(input.originalPrompt) : null,
      preview: describePayload(refined),
      recordId: input.recordId,
      context,
    };
  };

  /** Shows the payload first when this endpoint and model have never been confirmed; sends otherwise. */
  const send = async (input: SendInput) => {
    const prepared = await prepare(input);
    if (!prepared) return;
    if (isEndpointConfirmed(settings, prepared.preview.url, prepared.preview.model)) void transmit(prepared);
    else setPending(prepared);
  };

  const preview = async (input: SendInput) => {
    const prepared = await prepare(input);
    if (prepared) setPending(prepared);
  };

  const confirm = () => {
    if (!pending) return;
    setSettings(withEndpointConfirmed(settings, pending.preview.url, pending.preview.model));
    setPending(null);
    void transmit(pending);
  };

  const transmit = async (prepared: PreparedSend) => {
    abortRef.current?.abort();
    const controller = new AbortController();
    abortRef.current = controller;
    // The send just aborted still ends (as stopped) after this one starts: its id keeps it out of these answers.
    const sendId = ++lastSendId.current;
    const requests: Array<[AnswerSlot, RemoteChatRequest]> = prepared.original
      ? [['original', prepared.original], ['refined', prepared.refined]]
      : [['refined', prepared.refined]];
    setRuns(startRuns(sendId, prepared.context, requests.map(([slot]) => slot)));
    const update = (slot: AnswerSlot, change: Parameters<typeof updateRun>[3]) => setRuns((current) => updateRun(current, sendId, slot, change));

    const answers = await Promise.all(
      requests.map(async ([slot, request]): Promise<[AnswerSlot, RemoteAnswer]> => {
        const outcome = await sendRemoteChat(request, {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'delta') update(slot, { text: event.text, status: 'streaming' });
          },
        });
        if (outcome.ok) {
          update(slot, { text: outcome.text, status: 'done', timings: outcome.timings });
          return [slot, { text: outcome.text, firstTokenMs: outcome.timings.firstTokenMs, totalMs: outcome.timings.totalMs, error: null }];
        }
        const stopped = outcome.error.kind === 'aborted';
        update(slot, { text: outcome.text, status: stopped ? 'stopped' : 'failed', error: stopped ? null : outcome.error, timings: outcome.timings });
        return [slot, { text: outcome.text, firstTokenMs: outcome.timings?.firstTokenMs ?? null, totalMs: outcome.timings?.totalMs ?? null, error: outcome.error.message }];
      }),
    );
    const bySlot = Object.fromEntries(answers) as Partial<Record<AnswerSlot, RemoteAnswer>>;
    const { endpoint: target, model } = prepared.refined;
    onFinished(prepared.recordId, { host: hostOf(target.baseUrl), model, original: bySlot.original ?? null, refined: bySlot.refined ?? null });
  };

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const listModels = async () => {
    const target = endpoint();
    if (!target) return setProblem('Enter the endpoint’s base URL first.');
    const listed = await listRemoteModels(target);
    if (listed.ok) {
      setModels(listed.models);
      setProblem(listed.models.length === 0 ? 'The endpoint lists no models.' : null);
    } else {
      setProblem(listed.error.message);
    }
  };

  const visible = visibleRuns(runs, context);
  const shownPending = pending && sameContext(pending.context, context) ? pending : null;

  return {
    presets: ENDPOINT_PRESETS,
    preset: findPreset(settings.presetId),
    choosePreset: (id: string) => {
      if (isPresetId(id)) setSettings(applyPreset(settings, id));
    },
    maxImageSideRange: MAX_IMAGE_SIDE_RANGE,
    settings,
    setSettings,
    apiKey,
    setApiKey,
    setRememberKey,
    models,
    listModels,
    /** The answers for the result on screen. */
    runs: visible.slots,
    /** A send for another result (an earlier rewrite) is still running; its answers are saved with it. */
    sendingElsewhere: visible.elsewhere,
    sending: isSending(runs),
    pending: shownPending,
    /** The preview in lines a person reads: host, model, text length, image. */
    pendingSummary: shownPending ? summarizePayload(shownPending.preview) : [],
    problem: currentProblem(problem, context),
    send,
    preview,
    confirm,
    cancelPreview: () => setPending(null),
    stop,
  };
}
