import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// index.html carries the production CSP. The dev server injects <style> tags and an HMR
// WebSocket, so only `vite serve` gets a relaxed copy; built output keeps the strict one.
function relaxCspForDev(): Plugin {
  return {
    name: 'relax-csp-for-dev',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws: wss:");
    },
  };
}

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs work from Electron's app:// origin and from the host's HTTP root.
  base: './',
  plugins: [svelte({ configFile: false, compilerOptions: { runes: true } }), relaxCspForDev()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    // The module-preload polyfill would be an inline script, which the CSP forbids; both
    // Chromium and Electron support modulepreload natively.
    modulePreload: { polyfill: false },
  },
});
