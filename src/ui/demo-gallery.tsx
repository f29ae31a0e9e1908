import { DEMO_CASES, type DemoCase } from '../core/demo-cases.ts';

interface DemoGalleryProps {
  onPick: (demo: DemoCase, image: File) => void;
  onError: (message: string) => void;
  disabled: boolean;
}

/** Built-in cases (drawn by scripts/generate-demo-images.ts): one click fills the image and the prompt. */
export function DemoGallery({ onPick, onError, disabled }: DemoGalleryProps) {
  const pick = async (demo: DemoCase) => {
    try {
      const response = await fetch(`${import.meta.env.BASE_URL}${demo.imagePath}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      onPick(demo, new File([await response.blob()], demo.imageName, { type: 'image/png' }));
    } catch (error) {
      onError(`The demo image could not be loaded: ${String(error)}`);
    }
  };
  return (
    <div className="demo-gallery" role="group" aria-label="Demo cases">
      <span className="muted">Try a demo case:</span>
      <ul>
        {DEMO_CASES.map((demo) => (
          <li key={demo.id}>
            <button type="button" className="demo-case" disabled={disabled} onClick={() => void pick(demo)} title={demo.demonstrates}>
              <img src={`${import.meta.env.BASE_URL}${demo.imagePath}`} alt="" width={56} height={Math.round((56 * demo.height) / demo.width)} />
              <span>{demo.title}</span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
