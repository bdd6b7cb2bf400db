// Only the two weights the theme uses; each is split by unicode-range, so the browser downloads
// just the slices of Japanese it actually renders.
import '@fontsource/noto-sans-jp/400.css';
import '@fontsource/noto-sans-jp/700.css';
import '@mantine/core/styles.css';
import { MantineProvider } from '@mantine/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/apiError.ts';
import { App } from './App.tsx';
import { sessionKey, signedOut } from './auth/session.ts';
import { initI18n } from './i18n/i18n.ts';
import { theme } from './theme.ts';

// A 401 from any call means the session ended (idle timeout, signed out elsewhere): back to login.
function onApiError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401 && queryClient.getQueryData(sessionKey)) signedOut(queryClient);
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// The catalogs are bundled, so this resolves at once; rendering after it avoids a flash of keys.
void initI18n().then(() => {
  createRoot(root).render(
    <StrictMode>
      <MantineProvider theme={theme} defaultColorScheme="light">
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
});
