// Draws the app icon (the AppMark: a rounded square with an envelope flap) at every size the
// installers need, with no image packages: a tiny supersampling rasterizer, zlib for PNG, and
// the ICO and ICNS containers (both just hold PNGs). Run after changing the design:
//   node scripts/make-icons.mjs
// Writes resources/icon.svg, icon.png (1024), icons/NxN.png (Linux), icon.ico, icon.icns,
// tray.png and tray@2x.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'resources');

/** The design in a 16-unit square, as in renderer/src/AppMark.svelte and the favicon. */
const designs = {
  // Inset so it sits on the macOS icon grid instead of filling the whole tile.
  app: { rect: { x: 1, y: 1, size: 14, radius: 3.25 }, flap: [[4.25, 6], [8, 8.6], [11.75, 6]], stroke: 1.3 },
  // Full bleed: at 16 px every pixel counts.
  tray: { rect: { x: 0, y: 0, size: 16, radius: 4 }, flap: [[3.5, 5.5], [8, 8.5], [12.5, 5.5]], stroke: 1.5 },
};
const fill = [0x2f, 0x6f, 0xde];
const ink = [0xff, 0xff, 0xff];

function svg(d) {
  const { rect, flap, stroke } = d;
  const points = flap.map(([x, y]) => `${x} ${y}`).join(' L');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16" width="1024" height="1024">
  <rect x="${rect.x}" y="${rect.y}" width="${rect.size}" height="${rect.size}" rx="${rect.radius}" fill="#2f6fde"/>
  <path d="M${points}" fill="none" stroke="#ffffff" stroke-width="${stroke}" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
`;
}

function inRoundedRect(px, py, { x, y, size, radius }) {
  if (px < x || py < y || px > x + size || py > y + size) return false;
  const cx = Math.min(Math.max(px, x + radius), x + size - radius);
  const cy = Math.min(Math.max(py, y + radius), y + size - radius);
  return (px - cx) ** 2 + (py - cy) ** 2 <= radius ** 2;
}

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** RGBA pixels; 4×4 samples per pixel. Round caps and joins come free from the distance test. */
function rasterize(d, size) {
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  const scale = 16 / size;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let bg = 0;
      let fg = 0;
      for (let sj = 0; sj < n; sj++) {
        for (let si = 0; si < n; si++) {
          const px = (i + (si + 0.5) / n) * scale;
          const py = (j + (sj + 0.5) / n) * scale;
          if (!inRoundedRect(px, py, d.rect)) continue;
          let near = false;
          for (let k = 0; k + 1 < d.flap.length && !near; k++) near = distToSegment(px, py, d.flap[k], d.flap[k + 1]) <= d.stroke / 2;
          if (near) fg++;
          else bg++;
        }
      }
      const cover = (bg + fg) / (n * n);
      const o = (j * size + i) * 4;
      if (cover === 0) continue;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.round((fill[c] * bg + ink[c] * fg) / (bg + fg));
      pixels[o + 3] = Math.round(cover * 255);
    }
  }
  return pixels;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(pixels, size) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** ICO with PNG entries (Windows Vista and later). */
function ico(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, data }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.data)]);
}

/** ICNS with PNG entries (macOS 10.7 and later). */
function icns(images) {
  const types = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const parts = images.map(({ size, data }) => {
    const h = Buffer.alloc(8);
    h.write(types[size], 0, 'ascii');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

const cache = new Map();
function appPng(size) {
  if (!cache.has(size)) cache.set(size, png(rasterize(designs.app, size), size));
  return cache.get(size);
}

function write(rel, data) {
  const file = join(out, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  console.log(`${rel} (${data.length} bytes)`);
}

write('icon.svg', svg(designs.app));
write('tray.svg', svg(designs.tray));
write('icon.png', appPng(1024));
for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) write(`icons/${size}x${size}.png`, appPng(size));
write('icon.ico', ico([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, data: appPng(size) }))));
write('icon.icns', icns([16, 32, 64, 128, 256, 512, 1024].map((size) => ({ size, data: appPng(size) }))));
write('tray.png', png(rasterize(designs.tray, 16), 16));
write('tray@2x.png', png(rasterize(designs.tray, 32), 32));
