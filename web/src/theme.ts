import { createTheme } from '@mantine/core';

// Noto Sans JP is bundled (see main.tsx); the system fonts only cover the moment before it loads.
const fontFamily = "'Noto Sans JP', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', Meiryo, system-ui, sans-serif";

export const theme = createTheme({
  fontFamily,
  headings: { fontFamily, fontWeight: '700' },
  primaryColor: 'blue',
  primaryShade: 7,
  // Keyboard users always see where they are; mouse clicks do not leave a ring.
  focusRing: 'auto',
  defaultRadius: 'md',
});
