/**
 * The composition root: builds repositories and services from the adapters (database, clock,
 * mail queue). The HTTP app, the CLI and tests all get their services from here.
 */
import { AuditRepository } from './audit/auditRepository.ts';
import { AuditService } from './audit/auditService.ts';
import { AuthRepository } from './auth/authRepository.ts';
import { AuthService } from './auth/authService.ts';
import type { Clock } from './clock.ts';
import type { Db } from './db/database.ts';
import type { Services } from './http/services.ts';
import { MailService } from './mail/mailService.ts';
import { OutboxRepository } from './mail/outboxRepository.ts';
import type { MailLogger } from './mail/outboxWorker.ts';
import { OrganizationRepository } from './organizations/organizationRepository.ts';
import { OrganizationService } from './organizations/organizationService.ts';
import { ApiTokenRepository } from './tokens/apiTokenRepository.ts';
import { ApiTokenService } from './tokens/apiTokenService.ts';
import { UserRepository } from './users/userRepository.ts';
import { UserService } from './users/userService.ts';

export interface ServiceSettings {
  publicUrl: string;
  sessionIdleMinutes: number;
  mailCharset: 'utf-8' | 'iso-2022-jp';
}

export interface AppServices extends Services {
  outbox: OutboxRepository;
  mail: MailService;
}

export function createServices(db: Db, clock: Clock, settings: ServiceSettings, logger?: MailLogger): AppServices {
  const audit = new AuditService(new AuditRepository(db), clock);
  const outbox = new OutboxRepository(db);
  const mail = new MailService(outbox, clock, { charset: settings.mailCharset, ...(logger ? { logger } : {}) });
  const organizationRepository = new OrganizationRepository(db);
  return {
    db,
    audit,
    outbox,
    mail,
    devMailbox: mail,
    auth: new AuthService(new AuthRepository(db), audit, mail, clock, settings),
    organizations: new OrganizationService(organizationRepository, audit),
    users: new UserService(new UserRepository(db), organizationRepository, audit, clock),
    apiTokens: new ApiTokenService(new ApiTokenRepository(db), audit, clock),
  };
}
