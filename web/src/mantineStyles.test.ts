/**
 * mantineStyles.ts imports Mantine's CSS per component. This finds every component the console
 * imports from @mantine/core, follows Mantine's own module imports to the components they are built
 * on, and checks that exactly the stylesheets of that set are imported (a missing one would leave a
 * component unstyled; an extra one is CSS nobody uses).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const mantineRoot = dirname(createRequire(import.meta.url).resolve('@mantine/core/styles.css'));
const esm = join(mantineRoot, 'esm');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Names imported from '@mantine/core' anywhere in the console's sources. */
function importedComponents(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(here)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@mantine\/core'/g)) {
      for (const part of m[1]!.split(',')) {
        const name = part.trim().replace(/^type\s+/, '');
        if (/^[A-Z]/.test(name)) names.add(name);
      }
    }
  }
  return names;
}

/** The stylesheets (by CSS-module name) reached from those components through Mantine's imports. */
function requiredStylesheets(components: Set<string>): Set<string> {
  const index = readFileSync(join(esm, 'index.mjs'), 'utf8');
  const fileOf = new Map<string, string>();
  for (const m of index.matchAll(/import \{([^}]*)\} from "([^"]+)"/g)) for (const n of m[1]!.split(',')) fileOf.set(n.trim().split(' as ').pop()!, join(esm, m[2]!));
  const seen = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    if (file.endsWith('.module.mjs')) modules.add(basename(file, '.module.mjs'));
    for (const m of readFileSync(file, 'utf8').matchAll(/from "(\.[^"]+)"/g)) visit(join(dirname(file), m[1]!));
  };
  for (const name of components) {
    const file = fileOf.get(name);
    if (file) visit(file);
  }
  return new Set([...modules].filter((m) => existsSync(join(mantineRoot, 'styles', `${m}.css`))));
}

describe('Mantine styles per component', () => {
  it('imports the stylesheet of every component in use, and no other', () => {
    const imported = [...readFileSync(join(here, 'mantineStyles.ts'), 'utf8').matchAll(/import '@mantine\/core\/styles\/([A-Za-z-]+)\.css';/g)].map((m) => m[1]!);
    expect(imported.slice(0, 3)).toEqual(['baseline', 'default-css-variables', 'global']);
    const required = requiredStylesheets(importedComponents());
    // Sanity: the scan sees the console's components (and what they are built on).
    expect(required).toContain('Table');
    expect(required).toContain('Combobox');
    expect(imported.slice(3).sort()).toEqual([...required].sort());
  });

  it('the whole-library stylesheet is not imported anywhere', () => {
    for (const file of sourceFiles(here)) expect(readFileSync(file, 'utf8'), file).not.toContain(`'@mantine/core/styles.css'`);
  });
});
