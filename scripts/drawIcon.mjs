// Draws the extension icon (media/icon.png, 128×128, what the Marketplace and vsce want) and the
// same picture as media/icon.svg, from one list of shapes, with no image library: the PNG is
// rasterised here with 4×4 supersampling and encoded with node:zlib.
//
//   node scripts/drawIcon.mjs
//
// The picture: three agents of a multi-agent system joined by their messages, on a dark tile; the
// agent that receives the credit is amber, and the rule lines beside it are what TRUCE edits.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4;

/** Painted in order; later shapes cover earlier ones. Colours are #rrggbb. */
const shapes = [
  { type: 'roundedRect', x: 4, y: 4, w: 120, h: 120, r: 24, color: '#1e293b' },
  { type: 'segment', x1: 36, y1: 40, x2: 92, y2: 40, width: 6, color: '#64748b' },
  { type: 'segment', x1: 36, y1: 40, x2: 52, y2: 86, width: 6, color: '#64748b' },
  { type: 'segment', x1: 92, y1: 40, x2: 52, y2: 86, width: 6, color: '#64748b' },
  { type: 'circle', cx: 36, cy: 40, r: 14, color: '#7dd3fc' },
  { type: 'circle', cx: 92, cy: 40, r: 14, color: '#7dd3fc' },
  { type: 'circle', cx: 52, cy: 86, r: 16, color: '#f59e0b' },
  { type: 'segment', x1: 78, y1: 78, x2: 104, y2: 78, width: 6, color: '#e2e8f0' },
  { type: 'segment', x1: 78, y1: 92, x2: 98, y2: 92, width: 6, color: '#e2e8f0' },
  { type: 'segment', x1: 78, y1: 106, x2: 104, y2: 106, width: 6, color: '#f59e0b' },
];

function inside(shape, x, y) {
  switch (shape.type) {
    case 'circle':
      return (x - shape.cx) ** 2 + (y - shape.cy) ** 2 <= shape.r ** 2;
    case 'roundedRect': {
      // Distance from the rectangle shrunk by the radius, compared with the radius.
      const dx = Math.max(shape.x + shape.r - x, 0, x - (shape.x + shape.w - shape.r));
      const dy = Math.max(shape.y + shape.r - y, 0, y - (shape.y + shape.h - shape.r));
      return dx * dx + dy * dy <= shape.r * shape.r;
    }
    case 'segment': {
      // Round-capped thick line: distance to the segment against half the width.
      const vx = shape.x2 - shape.x1;
      const vy = shape.y2 - shape.y1;
      const t = Math.max(0, Math.min(1, ((x - shape.x1) * vx + (y - shape.y1) * vy) / (vx * vx + vy * vy)));
      const px = shape.x1 + t * vx - x;
      const py = shape.y1 + t * vy - y;
      return px * px + py * py <= (shape.width / 2) ** 2;
    }
    default:
      throw new Error(`unknown shape type ${shape.type}`);
  }
}

function rgb(hex) {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

function rasterise() {
  const pixels = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const shape of shapes) {
        let covered = 0;
        for (let sy = 0; sy < SAMPLES; sy++) {
          for (let sx = 0; sx < SAMPLES; sx++) {
            if (inside(shape, px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)) covered++;
          }
        }
        if (covered === 0) continue;
        const alpha = covered / (SAMPLES * SAMPLES);
        const [sr, sg, sb] = rgb(shape.color);
        // "Over" compositing with premultiplied colour.
        r = sr * alpha + r * (1 - alpha);
        g = sg * alpha + g * (1 - alpha);
        b = sb * alpha + b * (1 - alpha);
        a = alpha + a * (1 - alpha);
      }
      const offset = (py * SIZE + px) * 4;
      pixels[offset] = a > 0 ? Math.round(r / a) : 0;
      pixels[offset + 1] = a > 0 ? Math.round(g / a) : 0;
      pixels[offset + 2] = a > 0 ? Math.round(b / a) : 0;
      pixels[offset + 3] = Math.round(a * 255);
    }
  }
  return pixels;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(pixels) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  // Each scanline is prefixed by filter type 0 (none); deflate does the compressing.
  const rows = [];
  for (let y = 0; y < SIZE; y++) rows.push(Buffer.from([0]), pixels.subarray(y * SIZE * 4, (y + 1) * SIZE * 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function svg() {
  const elements = shapes.map((shape) => {
    switch (shape.type) {
      case 'circle':
        return `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${shape.color}"/>`;
      case 'roundedRect':
        return `<rect x="${shape.x}" y="${shape.y}" width="${shape.w}" height="${shape.h}" rx="${shape.r}" fill="${shape.color}"/>`;
      case 'segment':
        return `<line x1="${shape.x1}" y1="${shape.y1}" x2="${shape.x2}" y2="${shape.y2}" stroke="${shape.color}" stroke-width="${shape.width}" stroke-linecap="round"/>`;
      default:
        throw new Error(`unknown shape type ${shape.type}`);
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">\n  ${elements.join('\n  ')}\n</svg>\n`;
}

const mediaDir = new URL('../media/', import.meta.url);
mkdirSync(mediaDir, { recursive: true });
writeFileSync(new URL('icon.png', mediaDir), encodePng(rasterise()));
writeFileSync(new URL('icon.svg', mediaDir), svg());
console.log('wrote media/icon.png and media/icon.svg');
