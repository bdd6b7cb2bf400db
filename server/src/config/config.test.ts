import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.port).toBe(8080);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.cookieSecure).toBe(false);
    expect(config.dataDir.endsWith('/data')).toBe(true);
  });

  it('reads the environment and lets flags win', () => {
    const config = loadConfig({
      env: { PORT: '9000', DATABASE_URL: 'postgres://u@h/db', PUBLIC_URL: 'https://otasuke.example.jp/' },
      flags: { port: 9100 },
    });
    expect(config.port).toBe(9100);
    expect(config.databaseUrl).toBe('postgres://u@h/db');
    expect(config.publicUrl).toBe('https://otasuke.example.jp');
    expect(config.cookieSecure).toBe(true);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig({
        env: { PORT: 'eighty', DATABASE_URL: 'mysql://x', SMTP_URL: 'nope', LOG_LEVEL: 'loud' },
        flags: { colour: 'blue' },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('port (PORT)');
    expect(problems.join('\n')).toContain('databaseUrl (DATABASE_URL): must be a URL starting with postgres:// or postgresql://');
    expect(problems.join('\n')).toContain('smtpUrl (SMTP_URL)');
    expect(problems.join('\n')).toContain('logLevel (LOG_LEVEL)');
    expect(problems.join('\n')).toContain('unknown setting "colour"');
  });

  it('reports an unreadable config file with its path', () => {
    expect(() => loadConfig({ env: {}, file: '/nonexistent/otasuke.json' })).toThrow(/config file \/nonexistent\/otasuke.json/);
  });
});
