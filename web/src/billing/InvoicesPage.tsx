import { Alert, Anchor, Badge, Button, Card, Group, Loader, Modal, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { currentMonth, shiftMonth, useFormatYen } from '../operator/format.ts';

type Invoice = components['schemas']['Invoice'];
type InvoiceStatus = Invoice['status'];

const statusColor: Record<InvoiceStatus, string> = { unpaid: 'blue', paid: 'green', overdue: 'red' };
const statuses: InvoiceStatus[] = ['unpaid', 'overdue', 'paid'];

/**
 * Invoices and credit notes. The operator sees every subscriber's, records payments and exports a
 * month for accounting; a subscriber's admin sees its own (the server filters by tenant).
 */
export function InvoicesPage({ operator }: { operator: boolean }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const [month, setMonth] = useState<string | null>(null);
  const [status, setStatus] = useState<InvoiceStatus | null>(null);
  const [paying, setPaying] = useState<Invoice | null>(null);
  const [recorded, setRecorded] = useState(false);
  const months = Array.from({ length: 24 }, (_, i) => shiftMonth(currentMonth(), -i));
  const invoices = useQuery({
    queryKey: ['invoices', month, status],
    queryFn: () => expectOk(api.GET('/api/v1/invoices', { params: { query: { ...(month ? { month } : {}), ...(status ? { status } : {}) } } })),
  });
  // Newest first: the list arrives oldest first.
  const rows = invoices.data ? [...invoices.data].reverse() : [];

  return (
    <Stack gap="md" maw={1200}>
      <Title order={2}>{t('admin.invoices')}</Title>
      <Text c="gray.7">{operator ? t('invoices.introOperator') : t('invoices.introSubscriber')}</Text>
      <Group gap="sm" align="flex-end">
        <Select label={t('invoices.month')} placeholder={t('invoices.allMonths')} data={months} value={month} onChange={setMonth} clearable w={200} />
        <Select
          label={t('invoices.statusFilter')}
          placeholder={t('invoices.allStatuses')}
          data={statuses.map((s) => ({ value: s, label: t(`invoices.statusLabel.${s}`) }))}
          value={status}
          onChange={(v) => setStatus(v as InvoiceStatus | null)}
          clearable
          w={200}
        />
        {operator && month && (
          <Button component="a" href={`/api/v1/invoices/export.csv?month=${month}`} variant="default" download>
            {t('invoices.csv', { month })}
          </Button>
        )}
      </Group>
      {recorded && (
        <Alert color="green" role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setRecorded(false)}>
          {t('invoices.recorded')}
        </Alert>
      )}
      {invoices.isPending && <Loader aria-label={t('common.loading')} />}
      {invoices.isError && <ApiErrorAlert error={invoices.error} />}
      {invoices.data && rows.length === 0 && <Alert color="gray">{t('admin.empty')}</Alert>}
      {rows.length > 0 && (
        <Card withBorder padding={0} visibleFrom="sm">
          <Table.ScrollContainer minWidth={operator ? 860 : 640}>
            <Table striped verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('invoices.number')}</Table.Th>
                  {operator && <Table.Th>{t('invoices.recipient')}</Table.Th>}
                  <Table.Th>{t('invoices.month')}</Table.Th>
                  <Table.Th ta="right">{t('invoices.total')}</Table.Th>
                  <Table.Th>{t('invoices.dueDate')}</Table.Th>
                  <Table.Th>{t('invoices.status')}</Table.Th>
                  <Table.Th>{t('invoices.actions')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((invoice) => (
                  <Table.Tr key={invoice.id}>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {invoice.invoiceNumber}
                      </Text>
                    </Table.Td>
                    {operator && <Table.Td>{invoice.recipientName}</Table.Td>}
                    <Table.Td>{invoice.billingMonth ?? invoice.issueDate}</Table.Td>
                    <Table.Td ta="right">{yen(invoice.totalYen)}</Table.Td>
                    <Table.Td>{invoice.dueDate}</Table.Td>
                    <Table.Td>
                      <InvoiceStatusBadge invoice={invoice} />
                    </Table.Td>
                    <Table.Td>
                      <InvoiceActions invoice={invoice} operator={operator} onPay={setPaying} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
      {rows.length > 0 && (
        <Stack gap="sm" hiddenFrom="sm">
          {rows.map((invoice) => (
            <Card key={invoice.id} withBorder padding="sm">
              <Group justify="space-between" wrap="nowrap" align="flex-start">
                <Stack gap={2} miw={0}>
                  <Text size="sm" fw={700}>
                    {invoice.billingMonth ?? invoice.issueDate}
                  </Text>
                  {operator && <Text size="sm">{invoice.recipientName}</Text>}
                  <Text size="xs" ff="monospace" c="gray.7">
                    {invoice.invoiceNumber}
                  </Text>
                </Stack>
                <Text fw={700}>{yen(invoice.totalYen)}</Text>
              </Group>
              <Group justify="space-between" mt="xs" wrap="nowrap" align="flex-end">
                <Stack gap={2}>
                  <InvoiceStatusBadge invoice={invoice} />
                  <Text size="xs" c="gray.7">
                    {t('invoices.dueDate')}: {invoice.dueDate}
                  </Text>
                </Stack>
                <InvoiceActions invoice={invoice} operator={operator} onPay={setPaying} />
              </Group>
            </Card>
          ))}
        </Stack>
      )}
      {paying && (
        <PaymentModal
          invoice={paying}
          onClose={() => setPaying(null)}
          onRecorded={() => {
            setPaying(null);
            setRecorded(true);
          }}
        />
      )}
    </Stack>
  );
}

function InvoiceStatusBadge({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2} align="flex-start">
      <Badge color={statusColor[invoice.status]} variant="light">
        {t(`invoices.statusLabel.${invoice.status}`)}
      </Badge>
      {invoice.kind === 'credit_note' && (
        <Badge size="xs" variant="outline" color="gray" c="gray.8">
          {t('invoices.creditNote')}
        </Badge>
      )}
      {invoice.paidOn && invoice.kind === 'invoice' && (
        <Text size="xs" c="gray.7">
          {t('invoices.paidOnValue', { date: invoice.paidOn })}
        </Text>
      )}
    </Stack>
  );
}

function InvoiceActions({ invoice, operator, onPay }: { invoice: Invoice; operator: boolean; onPay: (invoice: Invoice) => void }) {
  const { t } = useTranslation();
  return (
    <Group gap="xs" wrap="nowrap">
      <Anchor href={`/api/v1/invoices/${invoice.id}/pdf`} target="_blank" rel="noopener" size="sm">
        {t('invoices.openPdf')}
      </Anchor>
      {operator && invoice.kind === 'invoice' && invoice.status !== 'paid' && (
        <Button size="xs" variant="light" onClick={() => onPay(invoice)}>
          {t('invoices.recordPayment')}
        </Button>
      )}
    </Group>
  );
}

function PaymentModal({ invoice, onClose, onRecorded }: { invoice: Invoice; onClose: () => void; onRecorded: () => void }) {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const queryClient = useQueryClient();
  const [paidOn, setPaidOn] = useState(() => new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10));
  const record = useMutation({
    mutationFn: () => expectOk(api.POST('/api/v1/invoices/{id}/payments', { params: { path: { id: invoice.id } }, body: { paidOn, amountYen: invoice.totalYen } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['invoices'] });
      onRecorded();
    },
  });
  return (
    <Modal opened onClose={onClose} title={t('invoices.confirmTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <Stack gap="md">
        <Text size="sm">{t('invoices.confirmBody', { recipient: invoice.recipientName, number: invoice.invoiceNumber, total: yen(invoice.totalYen) })}</Text>
        <TextInput type="date" label={t('invoices.paidOn')} value={paidOn} onChange={(e) => setPaidOn(e.currentTarget.value)} required />
        {record.isError && <ApiErrorAlert error={record.error} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('invoices.cancel')}
          </Button>
          <Button onClick={() => record.mutate()} loading={record.isPending} disabled={!paidOn}>
            {t('invoices.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
