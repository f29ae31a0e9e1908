import { useCallback, useRef, useState } from 'react';
import type { RemoteAnswer, RemoteComparison } from '../core/history-record.ts';
import type { EncodedImage, RemoteChatRequest } from '../remote/chat-request.ts';
import { hostOf, normalizeBaseUrl } from '../remote/endpoint-url.ts';
import { reencodeImage } from '../remote/image-encoding.ts';
import { describePayload, type PayloadPreview } from '../remote/payload-preview.ts';
import { listRemoteModels, sendRemoteChat, validateRemoteRequest, type RemoteTimings } from '../remote/remote-client.ts';
import type { RemoteError } from '../remote/remote-errors.ts';
import {
  browserStorage,
  isEndpointConfirmed,
  loadRememberedApiKey,
  loadRemoteSettings,
  saveApiKey,
  saveRemoteSettings,
  withEndpointConfirmed,
  type RemoteSettings,
} from '../remote/remote-settings.ts';

export type AnswerSlot = 'original' | 'refined';

export interface RemoteRun {
  text: string;
  status: 'waiting' | 'streaming' | 'done' | 'failed' | 'stopped';
  error: RemoteError | null;
  timings: RemoteTimings | null;
}

export interface SendInput {
  image: Blob;
  originalPrompt: string;
  refinedPrompt: string;
  /** 'compare' sends both prompts with the same image and settings. */
  mode: 'refined' | 'compare';
}

interface PreparedSend {
  refined: RemoteChatRequest;
  /** Set in compare mode: the same image and settings with the original prompt. */
  original: RemoteChatRequest | null;
  preview: PayloadPreview;
}

/** The remote-VLM panel's state: settings (no key on disk unless opted in), preview, sends, answers. */
export function useRemote(onFinished: (comparison: RemoteComparison) => void) {
  const [storage] = useState(browserStorage);
  const [settings, setSettingsState] = useState<RemoteSettings>(() => loadRemoteSettings(storage));
  const [apiKey, setApiKeyState] = useState(() => loadRememberedApiKey(storage, settings.baseUrl));
  const [runs, setRuns] = useState<Partial<Record<AnswerSlot, RemoteRun>>>({});
  const [pending, setPending] = useState<PreparedSend | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [models, setModels] = useState<string[]>([]);
  const abortRef = useRef<AbortController | null>(null);

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
    const requests: Array<[AnswerSlot, RemoteChatRequest]> = prepared.original
      ? [['original', prepared.original], ['refined', prepared.refined]]
      : [['refined', prepared.refined]];
    setRuns(Object.fromEntries(requests.map(([slot]) => [slot, { text: '', status: 'waiting', error: null, timings: null }])));
    const update = (slot: AnswerSlot, change: Partial<RemoteRun>) =>
      setRuns((current) => {
        const run = current[slot];
        return run ? { ...current, [slot]: { ...run, ...change } } : current;
      });

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
    onFinished({ host: hostOf(target.baseUrl), model, original: bySlot.original ?? null, refined: bySlot.refined ?? null });
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

  const sending = Object.values(runs).some((run) => run.status === 'waiting' || run.status === 'streaming');

  return {
    settings,
    setSettings,
    apiKey,
    setApiKey,
    setRememberKey,
    models,
    listModels,
    runs,
    sending,
    pending,
    problem,
    send,
    preview,
    confirm,
    cancelPreview: () => setPending(null),
    stop,
  };
}
