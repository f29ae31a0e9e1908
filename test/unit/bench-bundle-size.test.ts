import { describe, expect, it } from 'vitest';
import { mainThreadScripts } from '../../scripts/bench/bundle-size.ts';

describe('the main-thread scripts of a built index.html', () => {
  it('counts the module scripts and their preloads once each, and nothing the page does not run at start', () => {
    const html = `<!doctype html><html><head>
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <script type="module" crossorigin src="/assets/index-B1x.js"></script>
      <link rel="modulepreload" crossorigin href="/assets/react-C2y.js">
      <link rel="modulepreload" crossorigin href="/assets/index-B1x.js">
      <link rel="stylesheet" crossorigin href="/assets/index-D3z.css">
      <link rel="manifest" href="/manifest.webmanifest">
      <script id="vite-plugin-pwa:register-sw" src="/registerSW.js"></script>
      <script src="https://cdn.example/x.js"></script>
    </head><body><div id="root"></div></body></html>`;
    expect(mainThreadScripts(html)).toEqual(['/assets/index-B1x.js', '/assets/react-C2y.js', '/registerSW.js']);
  });
});
