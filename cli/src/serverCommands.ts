import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command, Option } from 'commander';
import { OrganizationCreate, OrganizationKind, Role, UserCreate, type Organization } from '@otasuke/shared';
import { loadConfig, type Config } from '@otasuke/server/config/config';
import type { AppServices } from '@otasuke/server/services';
import type { DemoLogin } from '@otasuke/server/demo/demoData';
import { runCommand, UsageError } from './runCommand.ts';

const localAdmin = { scope: null, ip: null, requestId: 'cli' } as const;

/** Flags shared by every command that touches the database. */
function withConfigFlags(command: Command): Command {
  return command
    .option('--config <file>', 'JSON config file (also OTASUKE_CONFIG)')
    .option('--data-dir <dir>', 'data directory (OTASUKE_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'PostgreSQL URL (DATABASE_URL); unset = embedded database in the data dir');
}

function configFrom(options: Record<string, unknown>): Config {
  const { config: file, ...flags } = options;
  return loadConfig({ file: file as string | undefined, flags });
}

// Server modules load only when a command runs, so `--help` stays instant.
async function withServices<T>(config: Config, work: (services: AppServices) => Promise<T>): Promise<T> {
  const { openDatabase } = await import('@otasuke/server/db/database');
  const { createServices } = await import('@otasuke/server/services');
  const { systemClock } = await import('@otasuke/server/clock');
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await work(createServices(database.db, systemClock, config));
  } finally {
    await database.close();
  }
}

async function saveDemoLogins(config: Config, logins: DemoLogin[]): Promise<void> {
  const { formatDemoLogins } = await import('@otasuke/server/demo/demoData');
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'demo-logins.txt');
  writeFileSync(file, `${formatDemoLogins(logins)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  console.log(formatDemoLogins(logins));
}

export function serverCommands(): Command[] {
  const server = withConfigFlags(new Command('server'))
    .description('start the monitoring server and console (migrates the database first)')
    .option('--port <port>', 'HTTP port (PORT, default 8080)')
    .option('--host <host>', 'listen address (HOST, default 0.0.0.0)')
    .option('--public-url <url>', 'URL people use to reach the console (PUBLIC_URL)')
    .option('--smtp-url <url>', 'SMTP server for outgoing mail (SMTP_URL); unset = dev mailbox only')
    .option('--nats-url <url>', 'NATS JetStream for scale mode (NATS_URL)')
    .option('--demo', 'load demo organizations and users on an empty database')
    .action(async (options: Record<string, unknown>) => {
      try {
        const config = configFrom(options);
        const { startServer } = await import('@otasuke/server/server');
        const running = await startServer(config);
        if (running.demoLogins) await saveDemoLogins(config, running.demoLogins);
        console.log(`Otasuke is running: ${running.publicUrl}  (API: ${running.publicUrl}/api/openapi.json)`);
        let stopping = false;
        const stop = async () => {
          if (stopping) return;
          stopping = true;
          await running.close();
          process.exit(0);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (err) {
        runCommand.fail(err);
      }
    });

  const db = new Command('db').description('database maintenance');
  db.addCommand(
    withConfigFlags(new Command('migrate'))
      .description('apply pending migrations and exit')
      .action(async (options: Record<string, unknown>) => {
        try {
          const config = configFrom(options);
          const { openDatabase } = await import('@otasuke/server/db/database');
          const { migrateToLatest } = await import('@otasuke/server/db/migrations/index');
          const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, migrate: false });
          try {
            const applied = await migrateToLatest(database.db);
            console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
          } finally {
            await database.close();
          }
        } catch (err) {
          runCommand.fail(err);
        }
      }),
  );

  const admin = new Command('admin').description('administration from the server machine');
  admin.addCommand(
    withConfigFlags(new Command('create-organization'))
      .description('create an organization (e.g. the operator, on a fresh install)')
      .addOption(new Option('--kind <kind>', 'organization kind').choices(OrganizationKind.options).makeOptionMandatory())
      .requiredOption('--name <name>', 'organization name')
      .option('--membership <membership>', 'member | non_member (subscribers only)')
      .option('--prefecture <prefecture>', '都道府県')
      .option('--city <city>', '市区町村')
      .action(async (options: Record<string, string | undefined>) => {
        try {
          const { kind, name, membership, prefecture, city, ...configFlags } = options;
          const input = OrganizationCreate.safeParse({ kind, name, membership, prefecture, city });
          if (!input.success) throw new UsageError(input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
          const organization = await withServices(configFrom(configFlags), (s) => s.organizations.create(localAdmin, input.data));
          console.log(`created ${organization.kind} organization ${organization.id} (${organization.name})`);
        } catch (err) {
          runCommand.fail(err);
        }
      }),
  );
  admin.addCommand(
    withConfigFlags(new Command('create-user'))
      .description('create a user; prints a generated password unless --password is given')
      .requiredOption('--organization <id-or-name>', 'organization id or exact name')
      .requiredOption('--email <email>', 'sign-in email address')
      .addOption(new Option('--role <role>', 'role').choices(Role.options).makeOptionMandatory())
      .option('--name <name>', 'display name (default: the email address)')
      .option('--password <password>', 'initial password (min. 12 characters)')
      .addOption(new Option('--locale <locale>', 'ja | en').choices(['ja', 'en']).default('ja'))
      .action(async (options: Record<string, string | undefined>) => {
        try {
          const { organization, email, role, name, password, locale, ...configFlags } = options;
          const generated = password ?? randomBytes(12).toString('base64url');
          const user = await withServices(configFrom(configFlags), async (s) => {
            const scope = { userId: null, tokenId: null, sessionId: null, organizationId: '', organizationKind: 'operator' as const, role: 'operator_admin' as const };
            const all = await s.organizations.list(scope);
            const matches: Organization[] = all.filter((o) => o.id === organization || o.name === organization);
            if (matches.length !== 1) throw new UsageError(matches.length ? `several organizations are named "${organization}"; use the id` : `no organization "${organization}"`);
            const input = UserCreate.safeParse({ organizationId: matches[0]!.id, email, displayName: name ?? email, role, locale, password: generated });
            if (!input.success) throw new UsageError(input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
            return s.users.create(localAdmin, input.data);
          });
          console.log(`created user ${user.email} (${user.role})${password ? '' : `, password: ${generated}`}`);
        } catch (err) {
          runCommand.fail(err);
        }
      }),
  );

  const demo = withConfigFlags(new Command('demo'))
    .description('load the demo organizations and users (once; a second run changes nothing)')
    .action(async (options: Record<string, unknown>) => {
      try {
        const config = configFrom(options);
        const { loadDemoData } = await import('@otasuke/server/demo/demoData');
        const logins = await withServices(config, (s) => loadDemoData(s));
        if (logins) await saveDemoLogins(config, logins);
        else console.log('demo data is already loaded (logins: see demo-logins.txt in the data dir)');
      } catch (err) {
        runCommand.fail(err);
      }
    });

  const worker = withConfigFlags(new Command('worker'))
    .description('scale mode: store the alerts that ingest nodes queued in NATS JetStream (run any number)')
    .option('--nats-url <url>', 'NATS JetStream (NATS_URL); required')
    .option('--concurrency <n>', 'batches stored at once by this worker (default 4)')
    .action(async (options: Record<string, unknown>) => {
      try {
        const { concurrency, ...flags } = options;
        const config = configFrom(flags);
        if (!config.natsUrl) throw new UsageError('otasuke worker needs --nats-url or NATS_URL (the JetStream the ingest nodes publish to)');
        const { startWorker } = await import('@otasuke/server/worker/startWorker');
        const running = await startWorker(config, concurrency ? { concurrency: Number(concurrency) } : {});
        console.log(`Otasuke worker is consuming ${config.natsUrl}`);
        const stop = async () => {
          await running.close();
          process.exit(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      } catch (err) {
        runCommand.fail(err);
      }
    });

  return [server, db, admin, demo, worker];
}
