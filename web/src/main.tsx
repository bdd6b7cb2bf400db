// First: the early requests (in a build this module is also its own small script that index.html
// runs before this one is even downloaded; see vite.config.ts).
import './startup/earlyRequests.ts';
// Only the two weights the theme uses; each is split by unicode-range, so the browser downloads
// just the slices of Japanese it actually renders.
import '@fontsource/noto-sans-jp/400.css';
import '@fontsource/noto-sans-jp/700.css';
import './mantineStyles.ts';
import { MantineProvider } from '@mantine/core';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError } from './api/apiError.ts';
import { App } from './App.tsx';
import { primeSession, sessionKey, signedOut } from './auth/session.ts';
import { primeQueueFirstPage } from './incidents/queueFirstPage.ts';
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

// The catalogs are bundled, so i18n is ready at once; rendering after it avoids a flash of keys. The
// first script's requests (startup/earlyRequests.ts) have usually been answered by now: put them in
// the cache so the first render is the page itself, not a loader. Slow ones are left to the queries.
const primeDeadline = new Promise<void>((resolve) => setTimeout(resolve, 1000));

async function primeCaches(): Promise<void> {
  const session = await primeSession(queryClient, primeDeadline);
  if (session) await primeQueueFirstPage(queryClient, primeDeadline);
}

void initI18n()
  .then(() => primeCaches().catch(() => undefined))
  .then(() => {
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
