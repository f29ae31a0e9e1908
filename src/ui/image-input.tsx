import { useEffect, useEffectEvent, useId, useRef, useState } from 'react';
import { readSelectedImage, type SelectedImage } from '../app/read-image.ts';
import { ACCEPTED_IMAGE_TYPES } from '../core/image-file-check.ts';
import type { ImageSize } from '../core/rewriter-api.ts';
import { useObjectUrl } from './use-object-url.ts';
import './result.css';

interface ImageInputProps {
  image: SelectedImage | null;
  onImageChange: (image: SelectedImage) => void;
  /** The size the selected model will see, for the preview caption. */
  processedSize: ImageSize | null;
  disabled: boolean;
}

/** Pick, drop or paste an image; each gets the one image check (src/core/image-check.ts) and a test decode before it is accepted. */
export function ImageInput({ image, onImageChange, processedSize, disabled }: ImageInputProps) {
  const inputId = useId();
  const chosenId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const preview = useObjectUrl(image?.file ?? null);

  const accept = async (file: File | undefined) => {
    if (!file || disabled) return;
    const read = await readSelectedImage(file);
    if (!read.ok) return setError(read.message);
    setError(null);
    onImageChange(read.image);
  };

  // Paste anywhere on the page: an image on the clipboard becomes the input; text pastes as usual.
  const acceptPasted = useEffectEvent((file: File) => void accept(renameIfGeneric(file, 'pasted-image')));
  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const file = [...(event.clipboardData?.files ?? [])].find((item) => item.type.startsWith('image/'));
      if (!file) return;
      event.preventDefault();
      acceptPasted(file);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  return (
    <div className="field">
      <label htmlFor={inputId}>Image</label>
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        data-testid="drop-zone"
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          void accept(event.dataTransfer.files[0]);
        }}
      >
        {/* The native input would say "No file chosen" after a demo, a drop or a paste; the button and the name below say what is loaded, whatever its source. */}
        <input
          ref={fileInput}
          id={inputId}
          className="visually-hidden"
          type="file"
          tabIndex={-1}
          accept={ACCEPTED_IMAGE_TYPES.join(',')}
          disabled={disabled}
          onChange={(event) => {
            void accept(event.target.files?.[0]);
            event.target.value = '';
          }}
        />
        <div className="file-picker">
          <button type="button" disabled={disabled} aria-describedby={chosenId} onClick={() => fileInput.current?.click()}>
            {image ? 'Choose another image…' : 'Choose an image…'}
          </button>
          <span id={chosenId} className="chosen-file" data-testid="chosen-file">
            {image ? image.file.name : 'No image chosen yet'}
          </span>
        </div>
        <span className="muted">or drop an image here, or paste one (Ctrl+V / ⌘V)</span>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {preview && image && (
        <figure className="image-figure">
          <img className="image-preview" src={preview} alt={`Selected image: ${image.file.name}`} />
          <figcaption className="muted" data-testid="image-caption">
            {image.file.name} · {image.size.width}×{image.size.height}
            {processedSize &&
              (processedSize.width !== image.size.width || processedSize.height !== image.size.height
                ? ` · the model sees ${processedSize.width}×${processedSize.height}`
                : ' · the model sees it at full size')}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

function renameIfGeneric(file: File, name: string): File {
  return file.name && file.name !== 'image.png' ? file : new File([file], `${name}.${file.type.split('/')[1] ?? 'png'}`, { type: file.type });
}
