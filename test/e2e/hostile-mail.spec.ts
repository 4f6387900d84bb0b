// The hostile-mail corpus (test/support/hostile-corpus.ts) against the real app: every message
// is delivered to Cyrus from raw bytes, opened in the UI, and must run nothing and reach
// nothing. The beacon is a loopback server the network guard lets the page reach, so only
// the app itself stands between a pixel and the server; every hit is a leak.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Frame, Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import {
  beaconAddresses,
  beaconOrigins,
  hostileCorpus,
  importCorpus,
  markerOf,
  passiveExtensions,
  type Beacon,
  type HostileEntry,
} from '../support/hostile-corpus';
import type { DomElement, DomWindow } from './support/dom';
import { expect, screenshot, test, type NetworkGuard } from './support/fixtures';
import { addAccount, row } from './support/mail';

// No DOM snapshots in traces: they inject a script into every frame, which the sandboxed
// message frame refuses with a console error that would mask a real one.
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: true } });

interface Hit {
  host: string;
  path: string;
}

interface BeaconServer {
  addresses: Beacon;
  hits: Hit[];
  close(): Promise<void>;
}

const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

/**
 * Records every request, and answers each with something that would do harm if it were
 * ever used: scripts that set the canary, documents that run them, CSS that loads more.
 */
async function startBeacon(): Promise<BeaconServer> {
  const hits: Hit[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    hits.push({ host: req.headers.host ?? '', path });
    const ext = /\.(\w+)$/.exec(path)?.[1] ?? '';
    const canary = "top.__pwned='beacon';document.documentElement.dataset.pwned='beacon'";
    const [type, body]: [string, string | Buffer] =
      ext === 'js'
        ? ['text/javascript', canary]
        : ext === 'html' || ext === 'htc' || ext === 'xml'
          ? ['text/html', `<script>${canary}</script>`]
          : ext === 'css'
            ? ['text/css', `body{background:url(${path.replace(/\.css$/, '-nested.png')})}`]
            : ext === 'svg'
              ? ['image/svg+xml', `<svg xmlns="http://www.w3.org/2000/svg" onload="${canary}"><script>${canary}</script></svg>`]
              : ['image/png', pixel];
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': '*' });
    res.end(body);
  });
  // Dual stack: *.localhost may resolve to ::1 as well as 127.0.0.1.
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    addresses: beaconAddresses(port),
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every request the browser makes outside the host, from any page or frame (popups too). */
function watchRequests(context: BrowserContext, hostOrigin: string): string[] {
  const outside: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    if (!/^https?:|^wss?:/.test(url)) return;
    if (new URL(url).origin !== hostOrigin) outside.push(url);
  });
  return outside;
}

function allowBeacon(network: NetworkGuard, b: Beacon): void {
  for (const origin of beaconOrigins(b)) network.allow(origin);
}

/** Traces a script would leave in the app window. */
async function appTraces(page: Page): Promise<{ globals: string[]; title: string; marked: boolean }> {
  return page.evaluate(() => {
    const win = globalThis as unknown as DomWindow;
    return {
      globals: Object.getOwnPropertyNames(win).filter((name) => /pwn/i.test(name)),
      title: win.document.title,
      marked: win.document.querySelector('[data-pwned]') !== null,
    };
  });
}

function messageFrame(page: Page): Frame | null {
  return page.frames().find((f) => f !== page.mainFrame() && f.url() === 'about:srcdoc') ?? null;
}

/**
 * What the sandboxed frame's document holds. Read from Playwright's own (isolated) world, which
 * the sandbox does not stop: scripts, handlers and script URLs must all be gone, and no script
 * may have marked the document.
 */
async function frameContents(frame: Frame): Promise<{ marked: string | null; scripts: number; handlers: string[]; scriptUrls: string[]; csp: string | null }> {
  return frame.locator('html').first().evaluate((root: DomElement) => {
    const handlers: string[] = [];
    const scriptUrls: string[] = [];
    for (const el of root.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) handlers.push(`${el.localName}[${attr.name}]`);
        if (/^\s*(javascript|vbscript|data):/i.test(attr.value) && attr.name !== 'src') scriptUrls.push(`${el.localName}[${attr.name}]`);
      }
    }
    const first = root.querySelector('head > meta:first-child');
    return {
      marked: root.querySelector('[data-pwned]')?.getAttribute('data-pwned') ?? null,
      scripts: root.querySelectorAll('script, iframe, frame, object, embed, form, base, link, meta[http-equiv="refresh"]').length,
      handlers,
      scriptUrls,
      csp: first?.getAttribute('http-equiv') === 'Content-Security-Policy' ? first.getAttribute('content') : null,
    };
  });
}

async function expectNoTraces(page: Page, key: string): Promise<void> {
  const traces = await appTraces(page);
  expect(traces.globals, `${key}: globals set in the app window`).toEqual([]);
  expect(traces.title, `${key}: the app's title`).toBe('Meridian Mail');
  expect(traces.marked, `${key}: the app's document was marked`).toBe(false);
}

/** Opens every corpus message in list order (j walks the list) and checks each one. */
async function openEach(page: Page, entries: HostileEntry[], beacon: BeaconServer): Promise<string[]> {
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const seen: string[] = [];
  const subject = page.getByTestId('message-subject');
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) {
      const previous = seen[seen.length - 1]!;
      await page.keyboard.press('j');
      await expect(subject).not.toHaveText(new RegExp(`^\\[${previous}\\]`));
    }
    const text = (await subject.textContent()) ?? '';
    const key = /^\[(h\d+)\]/.exec(text)?.[1];
    const entry = key ? byKey.get(key) : undefined;
    if (!key || !entry) throw new Error(`opened a message that is not in the corpus: ${text}`);
    seen.push(key);

    if (entry.shows === 'html') {
      const frameElement = page.getByTestId('message-body-frame');
      await expect(frameElement).toHaveAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');
      await expect(page.frameLocator('[data-testid="message-body-frame"]').getByText(markerOf(entry))).toBeVisible();
      const frame = messageFrame(page);
      if (!frame) throw new Error(`${key}: no message frame`);
      const contents = await frameContents(frame);
      expect(contents.csp, `${key}: the frame's CSP`).toMatch(/^default-src 'none'/);
      expect(contents.marked, `${key}: a script marked the frame`).toBeNull();
      expect(contents.scripts, `${key}: active elements left in the frame`).toBe(0);
      expect(contents.handlers, `${key}: event handlers left in the frame`).toEqual([]);
      expect(contents.scriptUrls, `${key}: script URLs left in the frame`).toEqual([]);
    } else {
      await expect(page.getByTestId('message-body-text')).toContainText(markerOf(entry));
      await expect(page.getByTestId('message-body-frame')).toHaveCount(0);
      // Markup in a text part is shown as the characters it is.
      await expect(page.getByTestId('message-body-text')).toContainText('<script>');
    }
    // Headers are text too: the hostile subject shows as the characters it is, here and in the list.
    if (entry.subject) {
      expect(text).toContain('<img src=');
      await expect(page.locator('[data-testid="message-row"].selected')).toContainText('<img src=');
      await expect(page.getByTestId('message-list').locator('img, script')).toHaveCount(0);
    }
    await expectNoTraces(page, key);
    expect(beacon.hits.filter((h) => h.path.startsWith(`/${key}/`)), `${key}: beacon hits`).toEqual([]);
  }
  return seen;
}

test('every message of the hostile corpus renders, runs nothing and reaches nothing', async ({ page, context, host, network }) => {
  test.setTimeout(240_000);
  const beacon = await startBeacon();
  allowBeacon(network, beacon.addresses);
  const outside = watchRequests(context, host.origin);
  try {
    const entries = hostileCorpus();
    expect(entries.length).toBeGreaterThanOrEqual(40);
    const user = freshUser('hostile');
    const ids = await importCorpus(user, entries, beacon.addresses);
    await page.goto(host.url);
    await addAccount(page, user);
    await expect(page.getByTestId('list-meta')).toContainText(`${entries.length} messages`, { timeout: 30_000 });

    await row(page, ids.get(entries[0]!.key)!).click();
    const seen = await openEach(page, entries, beacon);
    expect([...seen].sort()).toEqual(entries.map((e) => e.key).sort());
    await screenshot(page, 'hostile-last.png');

    // Give late loads (lazy images, refresh timers, fonts) their chance before the verdict.
    await page.waitForTimeout(2000);
    await expectNoTraces(page, 'after all');
    expect(beacon.hits, 'requests that reached the beacon').toEqual([]);
    expect(network.allowed, 'requests to the beacon seen by the network guard').toEqual([]);
    expect(outside, 'requests outside the host').toEqual([]);
    expect(context.pages(), 'popups or new windows').toHaveLength(1);
  } finally {
    await beacon.close();
  }
});

test('"Load remote content" loads the images from the beacon, and still no script runs', async ({ page, context, host, network, consoleWatch }) => {
  test.setTimeout(120_000);
  const beacon = await startBeacon();
  allowBeacon(network, beacon.addresses);
  // Protocol-relative URLs become https: once allowed; the beacon speaks only http, so this
  // route stands in for its https side (it takes precedence over the guard's).
  const secure = beacon.addresses.ip.replace('http:', 'https:');
  await context.route(`${secure}/**`, (route) => {
    beacon.hits.push({ host: 'https', path: new URL(route.request().url()).pathname });
    return route.fulfill({ status: 200, contentType: 'image/png', body: pixel });
  });
  // Chromium refuses cross-origin SVG references (filter: url(remote.svg#f)) and says so.
  consoleWatch.allow(/^Unsafe attempt to load URL http:\/\/[^ ]+\.svg from frame with URL about:srcdoc/);
  const outside = watchRequests(context, host.origin);
  try {
    const entries = hostileCorpus().filter((e) => e.remoteImages?.length);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    const user = freshUser('remote');
    const ids = await importCorpus(user, entries, beacon.addresses);
    await page.goto(host.url);
    await addAccount(page, user);
    await expect(page.getByTestId('list-meta')).toContainText(`${entries.length} messages`, { timeout: 30_000 });

    for (const entry of entries) {
      await row(page, ids.get(entry.key)!).click();
      await expect(page.getByTestId('message-subject')).toHaveText(new RegExp(`^\\[${entry.key}\\]`));
      const frame = page.frameLocator('[data-testid="message-body-frame"]');
      await expect(frame.getByText(markerOf(entry))).toBeVisible();
      expect(beacon.hits.filter((h) => h.path.startsWith(`/${entry.key}/`)), `${entry.key}: hits before allowing`).toEqual([]);

      await page.getByRole('button', { name: 'Load remote content' }).click();
      await expect(page.getByTestId('remote-blocked')).toHaveCount(0);
      await expect
        .poll(() => beacon.hits.map((h) => h.path).filter((p) => p.startsWith(`/${entry.key}/`)), { message: `${entry.key}: images loaded` })
        .toEqual(expect.arrayContaining(entry.remoteImages!));
      // Images really arrived in the frame (decoded, not just requested).
      const images = frame.locator(`img[src*="/${entry.key}/"]`);
      if (await images.count()) {
        await expect.poll(() => images.first().evaluate((img: { naturalWidth: number }) => img.naturalWidth)).toBeGreaterThan(0);
      }
      const loaded = messageFrame(page);
      if (!loaded) throw new Error(`${entry.key}: no message frame`);
      const contents = await frameContents(loaded);
      expect(contents.csp, `${entry.key}: the frame's CSP once allowed`).toMatch(/^default-src 'none'; style-src 'unsafe-inline' https: http:/);
      expect(contents.marked, `${entry.key}: a script marked the frame`).toBeNull();
      expect(contents.handlers).toEqual([]);
      await expectNoTraces(page, entry.key);
      await screenshot(page, `hostile-remote-${entry.key}.png`);
    }

    await page.waitForTimeout(1500);
    await expectNoTraces(page, 'after all');
    // Only passive content ever loads: no script, document, frame, form post or fetch.
    const active = beacon.hits.filter((h) => !passiveExtensions.includes(/\.(\w+)$/.exec(h.path)?.[1] ?? ''));
    expect(active, 'non-image requests that reached the beacon').toEqual([]);
    const origins = [...beaconOrigins(beacon.addresses), secure];
    expect(outside.filter((url) => !origins.includes(new URL(url).origin)), 'requests outside the host and the beacon').toEqual([]);
    expect(context.pages()).toHaveLength(1);
  } finally {
    await beacon.close();
  }
});
