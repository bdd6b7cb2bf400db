import { ConfigError } from '@otasuke/server/config/config';
import { AppError } from '@otasuke/server/http/errors';

/** Exit codes: 0 ok, 1 the command failed, 2 the input (flags, config) was wrong. */
export const runCommand = {
  fail(err: unknown): never {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    if (err instanceof UsageError || err instanceof AppError) {
      console.error(`error: ${err.message}`);
      process.exit(2);
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
};

export class UsageError extends Error {}
