export * from './roles.ts';
export * from './errors.ts';
export * from './organizations.ts';
export * from './users.ts';
export * from './auth.ts';
export * from './audit.ts';
