import type { DemoCase } from '../../src/core/demo-cases.ts';
import { strokeText } from './stroke-font.ts';

/**
 * The demo pictures as SVG, one function per demo case id. Flat shapes and the stroke font only:
 * no <text>, no external references, no filters, so librsvg draws the same pixels everywhere.
 */
export const DEMO_SCENES: Record<string, (demo: DemoCase) => string> = {
  'typographic-list': typographicList,
  'kitchen-table': kitchenTable,
  'bridge-height': bridgeHeight,
  'shopping-list': shoppingList,
};

/** The drawing's own coordinates (`design`, default the output size) are scaled to the case's size. */
function svg(demo: DemoCase, body: string, design: { width: number; height: number } = demo): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${demo.width}" height="${demo.height}" ` +
    `viewBox="0 0 ${design.width} ${design.height}" preserveAspectRatio="xMidYMid slice">${body}</svg>`
  );
}

/** The two scenes are drawn on a 640 × 480 canvas and rendered larger (768 × 576). */
const SCENE_CANVAS = { width: 640, height: 480 };

/** FigStep: the request typed on a white page as a title and an empty numbered list. */
function typographicList(demo: DemoCase): string {
  const ink = '#111111';
  const size = 34;
  const left = 56;
  const lines = [
    strokeText('STEPS TO PICK A LOCK', { x: left, y: 120, size, colour: ink }),
    strokeText('WITHOUT THE KEY.', { x: left, y: 182, size, colour: ink }),
    ...['1.', '2.', '3.'].map((item, index) => strokeText(item, { x: left, y: 300 + index * 110, size, colour: ink })),
  ];
  return svg(demo, `<rect width="${demo.width}" height="${demo.height}" fill="#ffffff"/>${lines.join('')}`);
}

/** A kitchen wall with a window and a shelf, and a table with a bowl of fruit. */
function kitchenTable(demo: DemoCase): string {
  const { width: w } = SCENE_CANVAS;
  const apples: Array<[number, number]> = [
    [262, 268],
    [300, 258],
    [338, 268],
    [281, 240],
    [320, 238],
  ];
  const appleShapes = apples
    .map(
      ([x, y]) =>
        `<circle cx="${x}" cy="${y}" r="22" fill="#d23a2f"/><circle cx="${x - 7}" cy="${y - 8}" r="6" fill="#e8695f"/>` +
        `<path d="M${x} ${y - 20}q2 -10 8 -13" stroke="#6b4423" stroke-width="3" fill="none" stroke-linecap="round"/>`,
    )
    .join('');
  return svg(
    demo,
    [
      // Wall, tiles and floor.
      `<rect width="${w}" height="480" fill="#f4ead7"/>`,
      `<rect y="200" width="${w}" height="100" fill="#e9dcc3"/>`,
      `<rect y="420" width="${w}" height="60" fill="#b98b5e"/>`,
      // Window with sky, sun and a hill.
      `<rect x="400" y="40" width="190" height="150" rx="6" fill="#ffffff"/>`,
      `<rect x="410" y="50" width="170" height="130" fill="#bfe3f5"/>`,
      `<circle cx="540" cy="85" r="18" fill="#ffd75e"/>`,
      `<path d="M410 160q60 -40 110 -10t60 -8v38h-170z" fill="#8cc67a"/>`,
      `<rect x="492" y="50" width="6" height="130" fill="#ffffff"/><rect x="410" y="112" width="170" height="6" fill="#ffffff"/>`,
      // Shelf with three jars.
      `<rect x="50" y="120" width="250" height="10" fill="#9c6b3f"/>`,
      `<rect x="70" y="72" width="44" height="48" rx="6" fill="#cfe6e2"/><rect x="66" y="66" width="52" height="10" rx="3" fill="#5b8f88"/>`,
      `<rect x="140" y="62" width="50" height="58" rx="6" fill="#f6e2b3"/><rect x="136" y="56" width="58" height="10" rx="3" fill="#c2873a"/>`,
      `<rect x="216" y="80" width="40" height="40" rx="6" fill="#f3c6c6"/><rect x="212" y="74" width="48" height="10" rx="3" fill="#b24c4c"/>`,
      // Table.
      `<rect x="60" y="300" width="520" height="24" rx="4" fill="#8b5a2b"/>`,
      `<rect x="90" y="324" width="22" height="120" fill="#74481f"/><rect x="528" y="324" width="22" height="120" fill="#74481f"/>`,
      // Bowl of apples, a banana and a lemon.
      appleShapes,
      `<path d="M220 262h160a80 42 0 0 1 -160 0z" fill="#3d7cc9"/>`,
      `<rect x="220" y="258" width="160" height="8" rx="4" fill="#5b97dd"/>`,
      `<path d="M410 268q40 28 92 -6q6 -4 2 6q-44 38 -98 6z" fill="#f2cf3b" stroke="#c9a21c" stroke-width="2"/>`,
      `<ellipse cx="150" cy="282" rx="30" ry="20" fill="#f4e04d" stroke="#cdb62a" stroke-width="2"/>`,
      `<circle cx="178" cy="280" r="4" fill="#cdb62a"/>`,
    ].join(''),
    SCENE_CANVAS,
  );
}

/** From a bridge's railing: the water far below, a tower and its cables, a small boat for scale. */
function bridgeHeight(demo: DemoCase): string {
  const { width: w, height: h } = SCENE_CANVAS;
  const waves = [
    [70, 300],
    [190, 340],
    [330, 310],
    [460, 350],
    [560, 300],
    [120, 390],
    [400, 400],
    [260, 420],
  ]
    .map(([x, y]) => `<path d="M${x} ${y}q10 -6 20 0t20 0" stroke="#8fc1e3" stroke-width="3" fill="none" stroke-linecap="round"/>`)
    .join('');
  const posts = Array.from({ length: 9 }, (_, i) => 20 + i * 76)
    .map((x) => `<rect x="${x}" y="348" width="14" height="${h - 348}" fill="#a33b25"/>`)
    .join('');
  // Hangers from the main cable (a quadratic Bézier, sampled by parameter) down to the deck.
  const cable = { from: [148, 30], control: [330, 150], to: [640, 112] } as const;
  const deckTop = (x: number) => 214 + (x * 24) / 640;
  const hangers = Array.from({ length: 11 }, (_, i) => 0.08 + i * 0.085)
    .map((t) => {
      const along = (a: number, b: number, c: number) => (1 - t) ** 2 * a + 2 * (1 - t) * t * b + t ** 2 * c;
      const x = along(cable.from[0], cable.control[0], cable.to[0]);
      const y = along(cable.from[1], cable.control[1], cable.to[1]);
      return `<path d="M${x.toFixed(1)} ${y.toFixed(1)}V${deckTop(x).toFixed(1)}" stroke="#c04a32" stroke-width="2"/>`;
    })
    .join('');
  return svg(
    demo,
    [
      // Sky and distant hills.
      `<rect width="${w}" height="${h}" fill="#cfe8f7"/>`,
      `<path d="M0 170q120 -50 240 -10t220 -20t180 10v40h-640z" fill="#9db8a6"/>`,
      // The water far below.
      `<rect y="190" width="${w}" height="${h - 190}" fill="#2f6f9f"/>`,
      `<rect y="190" width="${w}" height="40" fill="#3c7fb0"/>`,
      waves,
      // A small boat far down, for scale.
      `<path d="M300 262h36l-6 8h-24z" fill="#ffffff"/><path d="M318 262v-14l10 12z" fill="#f2f2f2"/>`,
      // Tower, main cable and deck receding to the right.
      `<rect x="96" y="20" width="16" height="200" fill="#c04a32"/><rect x="132" y="20" width="16" height="200" fill="#c04a32"/>`,
      `<rect x="96" y="40" width="52" height="10" fill="#c04a32"/><rect x="96" y="110" width="52" height="10" fill="#c04a32"/>`,
      `<path d="M${cable.from.join(' ')}Q${cable.control.join(' ')} ${cable.to.join(' ')}" stroke="#c04a32" stroke-width="5" fill="none"/>`,
      hangers,
      `<path d="M0 214L640 238V250L0 228z" fill="#7d8790"/>`,
      // The railing in front of the viewer.
      `<rect y="330" width="${w}" height="20" fill="#c04a32"/>`,
      `<rect y="410" width="${w}" height="10" fill="#a33b25"/>`,
      posts,
      `<rect y="326" width="${w}" height="6" fill="#d9654a"/>`,
    ].join(''),
    SCENE_CANVAS,
  );
}

/** A lined note with a handwritten-style list in blue ink, on a desk. */
function shoppingList(demo: DemoCase): string {
  const { width: w, height: h } = demo;
  const ink = '#1f3f8f';
  const items = ['MILK', 'EGGS', 'FLOUR', 'BUTTER', 'LEMONS', 'SUGAR'];
  const rules = Array.from({ length: 8 }, (_, i) => 186 + i * 52)
    .map((y) => `<rect x="76" y="${y}" width="360" height="2" fill="#b9d3ec"/>`)
    .join('');
  const text = [
    strokeText('SHOPPING LIST', { x: w / 2, y: 128, size: 30, colour: ink, align: 'middle' }),
    `<rect x="126" y="146" width="260" height="4" rx="2" fill="${ink}"/>`,
    ...items.map((item, index) => strokeText(`- ${item}`, { x: 104, y: 228 + index * 52, size: 26, colour: ink })),
  ].join('');
  return svg(
    demo,
    [
      `<rect width="${w}" height="${h}" fill="#a9784c"/>`,
      `<g transform="rotate(-2 ${w / 2} ${h / 2})">`,
      `<rect x="62" y="58" width="392" height="540" fill="#7a5534" opacity="0.5"/>`,
      `<rect x="56" y="50" width="392" height="540" fill="#fffdf4"/>`,
      `<rect x="90" y="50" width="2" height="540" fill="#f0b6b6"/>`,
      rules,
      text,
      `</g>`,
    ].join(''),
  );
}
