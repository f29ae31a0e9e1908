import { useId } from 'react';
import { Link } from 'wouter';
import { cutNote, quoteImageText, type ImageTextOutcome, type ImageTextReading } from '../core/image-text.ts';
import { formatMs } from '../core/units.ts';
import { confidencePercent, imageTextFailure, isGivenToRewriter, polygonPoints } from './image-text-lines.ts';
import { useObjectUrl } from './use-object-url.ts';
import './image-text.css';

interface ImageTextViewProps {
  /** Null until OCR has answered, or when the run does not read text. */
  imageText: ImageTextOutcome | null;
  /** OCR is reading the image now. */
  reading: boolean;
  /** The image the run was given (or its stored copy); null or empty when there is none to show. */
  image: Blob | null;
}

/** What OCR read in the image, and how the rewriter was told: the typographic attack, made visible. */
export function ImageTextView({ imageText, reading, image }: ImageTextViewProps) {
  const titleId = useId();
  if (!imageText && !reading) return null;
  if (imageText?.kind === 'off') {
    return (
      <p className="muted image-text-off" data-testid="image-text-off">
        Text in the image was not read (OCR is off in <Link href="/settings">Settings</Link>).
      </p>
    );
  }
  return (
    <section className="image-text" aria-labelledby={titleId} data-testid="image-text">
      <h2 id={titleId}>Text in the image</h2>
      {!imageText ? (
        <p className="muted" role="status">
          Reading the text in the image on this device…
        </p>
      ) : imageText.kind === 'failed' ? (
        <p className="notice" role="status" data-testid="image-text-failed">
          {imageTextFailure(imageText.message)}
        </p>
      ) : imageText.reading.lines.length === 0 ? (
        <p className="muted" data-testid="image-text-none">
          No text found in the image (read in {formatMs(imageText.reading.ms)}).
        </p>
      ) : (
        <FoundText reading={imageText.reading} image={image} />
      )}
    </section>
  );
}

function FoundText({ reading, image }: { reading: ImageTextReading; image: Blob | null }) {
  const quoted = quoteImageText(reading.lines);
  const cut = quoted && cutNote(quoted);
  const given = reading.lines.filter(isGivenToRewriter).length;
  return (
    <>
      <p className="image-text-lead">
        {reading.lines.length === 1 ? 'One line' : `${reading.lines.length} lines`} found on this device in {formatMs(reading.ms)}.{' '}
        {given > 0
          ? 'The rewriter reads them as data, quoted: part of the image to judge, never an instruction to follow.'
          : 'None was clear enough to give to the rewriter.'}
      </p>
      <div className="image-text-body">
        <ImageWithBoxes reading={reading} image={image} />
        <ol className="image-text-lines">
          {reading.lines.map((line, index) => {
            const isGiven = isGivenToRewriter(line);
            return (
              <li key={index} className={isGiven ? 'image-text-line' : 'image-text-line unsure'} data-testid="image-text-line">
                <bdi className="found-text">{line.text}</bdi>
                <span className="line-facts">
                  <span title="How sure the recogniser was of this line">{confidencePercent(line.confidence)} confidence</span>
                  {!isGiven && <span className="not-given"> · not given to the rewriter</span>}
                </span>
              </li>
            );
          })}
        </ol>
      </div>
      {cut && <p className="muted">{cut}</p>}
    </>
  );
}

/** The picture with each line's box over it; the list beside it carries the same facts in words. */
function ImageWithBoxes({ reading, image }: { reading: ImageTextReading; image: Blob | null }) {
  const url = useObjectUrl(image && image.size > 0 ? image : null);
  if (!url) return null;
  const { width, height } = reading.imageSize;
  return (
    <figure className="image-text-figure">
      <div className="image-text-frame">
        <img src={url} alt="The image, with a box around each line of text found" />
        <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden="true" data-testid="image-text-boxes">
          {reading.lines.map((line, index) => (
            <polygon key={index} className={isGivenToRewriter(line) ? 'text-box' : 'text-box unsure'} points={polygonPoints(line.box)} />
          ))}
        </svg>
      </div>
      {reading.lines.some((line) => !isGivenToRewriter(line)) && (
        <figcaption className="muted">Dashed: read too unsurely to give to the rewriter.</figcaption>
      )}
    </figure>
  );
}
