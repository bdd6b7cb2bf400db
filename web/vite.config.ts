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

export default defineConfig({
  plugins: [react(), woff2Only()],
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
