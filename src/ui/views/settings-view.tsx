import type { AppSession } from '../app-session.ts';
import { AdvancedSettings } from '../advanced-settings.tsx';
import { DecisionSettings } from '../decision-settings.tsx';
import { ImageTextSettings } from '../image-text-settings.tsx';
import { OutputSettings } from '../output-settings.tsx';

/**
 * Where models come from, which backend runs them, how much the model reasons and writes, how an output becomes a
 * decision, and whether OCR reads the image.
 */
export function SettingsView({ session }: { session: AppSession }) {
  const { settings, busy } = session;
  return (
    <section className="panel settings-view" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <p className="muted">
        Used by the next rewrite or download; they last until the page is reloaded, except the reasoning mode and OCR,
        which this browser remembers.
      </p>
      <div className="settings-groups">
        <AdvancedSettings
          source={settings.source}
          onSourceChange={settings.setSource}
          preference={settings.preference}
          onPreferenceChange={settings.setPreference}
          disabled={busy}
        />
        <OutputSettings
          reasoning={settings.reasoning}
          onReasoningChange={settings.setReasoning}
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
        <ImageTextSettings
          readImageText={settings.readImageText}
          onReadImageTextChange={settings.setReadImageText}
          disabled={busy}
        />
      </div>
    </section>
  );
}
