import { useId } from 'react';
import { OCR_TOTAL_BYTES } from '../core/ocr-model.ts';
import { formatBytes } from '../core/units.ts';

interface ImageTextSettingsProps {
  readImageText: boolean;
  onReadImageTextChange: (on: boolean) => void;
  disabled: boolean;
}

/** Whether OCR reads the words written in the image for the rewriter; remembered on this device. */
export function ImageTextSettings({ readImageText, onReadImageTextChange, disabled }: ImageTextSettingsProps) {
  const hintId = useId();
  return (
    <fieldset className="settings image-text-settings" disabled={disabled}>
      <legend>Text in the image</legend>
      <label className="check">
        <input
          type="checkbox"
          checked={readImageText}
          aria-describedby={hintId}
          onChange={(event) => onReadImageTextChange(event.target.checked)}
        />
        Read text in the image (OCR, on this device)
      </label>
      <p id={hintId} className="muted">
        Gives the rewriter the words written in the picture (the typographic attack), quoted as data, never as
        instructions; {formatBytes(OCR_TOTAL_BYTES)}, downloaded once from this site.
      </p>
    </fieldset>
  );
}
