import { useId, useState } from 'react';
import { checkImageFile } from '../core/image-file-check.ts';

interface ImageInputProps {
  image: File | null;
  onImageChange: (image: File | null) => void;
  disabled: boolean;
}

export function ImageInput({ image, onImageChange, disabled }: ImageInputProps) {
  const inputId = useId();
  const [error, setError] = useState<string | null>(null);
  const preview = useObjectUrl(image);

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    const check = checkImageFile(file);
    if (!check.ok) return setError(check.message);
    try {
      // Decode once here so a broken file is reported now, not after a model download.
      (await createImageBitmap(file)).close();
    } catch {
      return setError(`${file.name} could not be decoded as an image. It may be damaged.`);
    }
    setError(null);
    onImageChange(file);
  };

  return (
    <div className="field">
      <label htmlFor={inputId}>Image</label>
      <input
        id={inputId}
        type="file"
        accept="image/png,image/jpeg,image/webp,image/gif,image/bmp"
        disabled={disabled}
        onChange={(event) => void onFile(event.target.files?.[0])}
      />
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {preview && image && <img className="image-preview" src={preview} alt={`Selected image: ${image.name}`} />}
    </div>
  );
}

/** An object URL that follows `blob`; the previous one is revoked when the blob changes. */
function useObjectUrl(blob: Blob | null): string | null {
  const [current, setCurrent] = useState<{ blob: Blob | null; url: string | null }>({ blob: null, url: null });
  if (current.blob !== blob) {
    if (current.url) URL.revokeObjectURL(current.url);
    const next = { blob, url: blob ? URL.createObjectURL(blob) : null };
    setCurrent(next);
    return next.url;
  }
  return current.url;
}
