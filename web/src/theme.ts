import { Combobox, createTheme } from '@mantine/core';

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
  components: {
    // A closed dropdown is not rendered: Mantine keeps it mounted (hidden) by default, and each mounted
    // one measures the page for its position on the first render — a forced style and layout pass
    // per multi-select before the page is even painted.
    Combobox: Combobox.extend({ defaultProps: { keepMounted: false } }),
  },
});
