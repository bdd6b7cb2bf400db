import {
  BillingRunRequest, BillingRunResult, CreditNoteCreate, Invoice, InvoiceExportQuery, InvoiceQuery, IssuerSettings, IssuerSettingsUpdate, PaymentRecord, ReminderRunResult,
} from '@otasuke/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contractReaders } from '../contracts/contractRoutes.ts';
import { requestContext, scopeOf } from '../http/accessGuard.ts';
import type { Services } from '../http/services.ts';

const operatorAdmin = { roles: ['operator_admin'] } as const;
const IdParam = z.object({ id: z.uuid() });
const tags = ['billing'];
const binary = z.any().meta({ type: 'string', format: 'binary' });

export function billingRoutes({ billing }: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/billing/issuer',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'The issuer printed on invoices (name, registration number, address)', response: { 200: IssuerSettings } } },
      async (request) => billing.getIssuer(scopeOf(request)),
    );
    app.put(
      '/billing/issuer',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Set the issuer printed on invoices', body: IssuerSettingsUpdate, response: { 200: IssuerSettings } } },
      async (request) => billing.putIssuer(requestContext(request), request.body),
    );
    app.post(
      '/billing/runs',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Issue the invoices of a finished month (idempotent)', body: BillingRunRequest, response: { 200: BillingRunResult } } },
      async (request) => billing.runMonthly(requestContext(request), request.body.month),
    );
    app.post(
      '/billing/reminders',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Mark overdue invoices and mail reminders', response: { 200: ReminderRunResult } } },
      async (request) => billing.runReminders(requestContext(request)),
    );
    app.get(
      '/invoices',
      { config: { access: contractReaders }, schema: { tags, summary: 'Invoices and credit notes you can see', querystring: InvoiceQuery, response: { 200: z.array(Invoice) } } },
      async (request) => billing.list(scopeOf(request), request.query),
    );
    app.get(
      '/invoices/export.csv',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Accounting export of a month: UTF-8 CSV with BOM, one row per invoice line', querystring: InvoiceExportQuery, produces: ['text/csv'], response: { 200: binary } } },
      async (request, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="invoices-${request.query.month}.csv"`).send(await billing.exportCsv(scopeOf(request), request.query.month)),
    );
    app.get('/invoices/:id', { config: { access: contractReaders }, schema: { tags, params: IdParam, response: { 200: Invoice } } }, async (request) => billing.get(scopeOf(request), request.params.id));
    app.get(
      '/invoices/:id/pdf',
      { config: { access: contractReaders }, schema: { tags, summary: 'The invoice as a PDF (Japanese)', params: IdParam, produces: ['application/pdf'], response: { 200: binary } } },
      async (request, reply) => reply.type('application/pdf').send(await billing.pdfOf(scopeOf(request), request.params.id)),
    );
    app.post(
      '/invoices/:id/payments',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Record the payment of an invoice', params: IdParam, body: PaymentRecord, response: { 200: Invoice } } },
      async (request) => billing.recordPayment(requestContext(request), request.params.id, request.body),
    );
    app.post(
      '/invoices/:id/credit-notes',
      { config: { access: operatorAdmin }, schema: { tags, summary: 'Issue a credit note (negative invoice) correcting an invoice', params: IdParam, body: CreditNoteCreate, response: { 201: Invoice } } },
      async (request, reply) => reply.status(201).send(await billing.createCreditNote(requestContext(request), request.params.id, request.body)),
    );
  };
}
