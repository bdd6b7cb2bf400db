import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Fontsource lists a .woff fallback next to every .woff2; every browser we support reads woff2,
 * so dropping the fallback halves the Japanese font files copied into dist.
 */
function woff2Only(): Plugin {
  return {
    name: 'otasuke-woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@fontsource') || !id.endsWith('.css')) return null;
      return { code: code.replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, ''), map: null };
    },
  };
}

/**
 * The console's first script (src/startup/earlyRequests.ts) is built as its own small entry and put
 * in index.html before the main one, so the session and the queue's first page are asked for while
 * the rest of the console downloads and compiles. main.tsx imports the same module (run once), which
 * is what `vite dev` uses.
 */
function earlyRequestsFirst(): Plugin {
  return {
    name: 'otasuke-early-requests-first',
    apply: 'build',
    config: () => ({ build: { rollupOptions: { input: { index: 'index.html', early: 'src/startup/earlyRequests.ts' } } } }),
    transformIndexHtml: {
      order: 'post',
      handler(html, context) {
        const early = Object.values(context.bundle ?? {}).find((c) => c.type === 'chunk' && c.isEntry && c.name === 'early');
        if (!early) throw new Error('earlyRequestsFirst: no "early" entry chunk in the bundle');
        // async: run as soon as it is here, without waiting for the stylesheet or the document.
        const tag = `<script type="module" async crossorigin src="/${early.fileName}"></script>`;
        if (!/<script type="module"/.test(html)) throw new Error('earlyRequestsFirst: index.html has no module script');
        return html.replace(/<script type="module"/, `${tag}\n    <script type="module"`);
      },
    },
  };
}

export default defineConfig({
  plugins: [react(), woff2Only(), earlyRequestsFirst()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fonts are split by unicode-range and loaded on demand; never inline them into the CSS.
    assetsInlineLimit: 0,
    // Our budget is on the gzipped size (≤ 500 kB); Vite's default warning counts minified bytes.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:8080',
      '/healthz': 'http://localhost:8080',
    },
  },
});
