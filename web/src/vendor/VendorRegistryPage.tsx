import { Alert, Badge, Button, Group, Loader, Modal, NumberInput, SimpleGrid, Stack, Switch, Table, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, expectOk } from '../api/client.ts';
import type { components } from '../api/schema.d.ts';
import { knownSkills, useSkillLabel } from '../dispatch/dispatchUi.tsx';
import { ApiErrorAlert } from '../errors/ApiErrorAlert.tsx';
import { useFormatYen } from '../operator/format.ts';
import { formatAreas, parseAreas } from './vendorAreas.ts';
import { VendorStaffModal } from './VendorStaffModal.tsx';

type VendorProfile = components['schemas']['VendorProfile'];
const vendorsKey = ['vendors'] as const;

/** What the form edits: an existing profile, an organization without one yet, or a new vendor. */
type Editing = { organizationId: string | null; profile: VendorProfile | null; name: string };

/** The operator's registry of local IT vendors: areas, skills, hours, rates, capacity and contact. */
export function VendorRegistryPage() {
  const { t } = useTranslation();
  const yen = useFormatYen();
  const skillLabel = useSkillLabel();
  const [editing, setEditing] = useState<Editing | null>(null);
  const [saved, setSaved] = useState(false);
  const [staffOf, setStaffOf] = useState<{ id: string; name: string } | null>(null);
  const vendors = useQuery({ queryKey: vendorsKey, queryFn: () => expectOk(api.GET('/api/v1/vendors')) });
  const organizations = useQuery({ queryKey: [...vendorsKey, 'organizations'], queryFn: () => expectOk(api.GET('/api/v1/organizations', { params: { query: { kind: 'vendor' } } })) });
  const registered = new Set((vendors.data ?? []).map((v) => v.organizationId));
  const unregistered = (organizations.data ?? []).filter((o) => !registered.has(o.id));

  return (
    <Stack gap="md" maw={1300}>
      <Title order={2}>{t('admin.vendors')}</Title>
      <Text c="gray.7">{t('partners.vendors.intro')}</Text>
      <Group>
        <Button onClick={() => setEditing({ organizationId: null, profile: null, name: '' })}>{t('partners.vendors.add')}</Button>
      </Group>
      {saved && (
        <Alert color="green" role="status" withCloseButton closeButtonLabel={t('admin.close')} onClose={() => setSaved(false)}>
          {t('partners.vendors.saved')}
        </Alert>
      )}
      {(vendors.isPending || organizations.isPending) && <Loader aria-label={t('common.loading')} />}
      {vendors.isError && <ApiErrorAlert error={vendors.error} />}
      {organizations.isError && <ApiErrorAlert error={organizations.error} />}
      {unregistered.length > 0 && (
        <Alert color="yellow" title={t('partners.vendors.unregistered')}>
          <Stack gap={4}>
            {unregistered.map((o) => (
              <Group key={o.id} gap="sm">
                <Text>{o.name}</Text>
                <Button size="xs" variant="light" onClick={() => setEditing({ organizationId: o.id, profile: null, name: o.name })}>
                  {t('partners.vendors.register')}
                </Button>
              </Group>
            ))}
          </Stack>
        </Alert>
      )}
      {vendors.data && vendors.data.length === 0 && <Alert color="gray">{t('partners.vendors.empty')}</Alert>}
      {vendors.data && vendors.data.length > 0 && (
        <Table.ScrollContainer minWidth={960}>
          <Table striped verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('partners.vendors.company')}</Table.Th>
                <Table.Th>{t('partners.vendors.areas')}</Table.Th>
                <Table.Th>{t('partners.vendors.skills')}</Table.Th>
                <Table.Th>{t('partners.vendors.hours')}</Table.Th>
                <Table.Th ta="right">{t('partners.vendors.rates')}</Table.Th>
                <Table.Th>{t('partners.vendors.load')}</Table.Th>
                <Table.Th>{t('partners.vendors.contact')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {vendors.data.map((v) => (
                <Table.Tr key={v.organizationId}>
                  <Table.Td>
                    <Text fw={700}>{v.companyName}</Text>
                    {!v.active && (
                      <Badge color="gray" variant="light">
                        {t('partners.vendors.inactive')}
                      </Badge>
                    )}
                    <Button size="compact-xs" variant="default" mt={4} onClick={() => setEditing({ organizationId: v.organizationId, profile: v, name: v.companyName })}>
                      {t('partners.vendors.edit')}
                    </Button>
                    <Button size="compact-xs" variant="light" mt={4} ml={4} onClick={() => setStaffOf({ id: v.organizationId, name: v.companyName })}>
                      {t('vendorStaff.open')}
                    </Button>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'pre-line', minWidth: 150 }}>{v.areas.map((a) => (a.city ? `${a.prefecture} ${a.city}` : t('partners.vendors.wholePrefecture', { prefecture: a.prefecture }))).join('\n')}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {v.skills.map((s) => (
                        <Badge key={s} variant="outline" radius="sm" tt="none" style={{ maxWidth: 'none' }}>
                          {skillLabel(s)}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{v.businessHours}</Table.Td>
                  <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                    <Text size="sm">{t('partners.vendors.hourly', { amount: yen(v.hourlyRateYen) })}</Text>
                    <Text size="sm" c="gray.7">
                      {t('partners.vendors.callOut', { amount: yen(v.callOutFeeYen) })}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{t('partners.desk.loadValue', { open: v.openJobs, capacity: v.capacity })}</Table.Td>
                  <Table.Td maw={240}>
                    <Text size="sm">{v.contactName}</Text>
                    <Text size="sm">{v.contactPhone}</Text>
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {v.contactEmail}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {staffOf && <VendorStaffModal key={staffOf.id} vendorId={staffOf.id} vendorName={staffOf.name} onClose={() => setStaffOf(null)} />}
      {editing && (
        <VendorForm
          key={editing.organizationId ?? 'new'}
          editing={editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            setSaved(true);
          }}
        />
      )}
    </Stack>
  );
}

function VendorForm({ editing, onClose, onSaved }: { editing: Editing; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const p = editing.profile;
  const [companyName, setCompanyName] = useState(p?.companyName ?? editing.name);
  const [areas, setAreas] = useState(p ? formatAreas(p.areas) : '');
  const [skills, setSkills] = useState<string[]>(p?.skills ?? []);
  const [businessHours, setBusinessHours] = useState(p?.businessHours ?? '');
  const [hourlyRateYen, setHourly] = useState<number | string>(p?.hourlyRateYen ?? '');
  const [callOutFeeYen, setCallOut] = useState<number | string>(p?.callOutFeeYen ?? '');
  const [capacity, setCapacity] = useState<number | string>(p?.capacity ?? 2);
  const [contactName, setContactName] = useState(p?.contactName ?? '');
  const [contactEmail, setContactEmail] = useState(p?.contactEmail ?? '');
  const [contactPhone, setContactPhone] = useState(p?.contactPhone ?? '');
  const [active, setActive] = useState(p?.active ?? true);
  // A new vendor's organization is created once, even when saving its profile has to be retried.
  const [createdId, setCreatedId] = useState<string | null>(null);
  const parsedAreas = parseAreas(areas);
  const save = useMutation({
    mutationFn: async () => {
      let id = editing.organizationId ?? createdId;
      if (!id) {
        const first = parsedAreas[0];
        const created = await expectOk(
          api.POST('/api/v1/organizations', { body: { kind: 'vendor', name: companyName.trim(), ...(first ? { prefecture: first.prefecture, ...(first.city ? { city: first.city } : {}) } : {}) } }),
        );
        id = created.id;
        setCreatedId(id);
      }
      return expectOk(
        api.PUT('/api/v1/vendors/{id}', {
          params: { path: { id } },
          body: {
            companyName: companyName.trim(),
            areas: parsedAreas,
            skills,
            businessHours: businessHours.trim(),
            hourlyRateYen: Number(hourlyRateYen),
            callOutFeeYen: Number(callOutFeeYen),
            capacity: Number(capacity),
            contactName: contactName.trim(),
            contactEmail: contactEmail.trim(),
            contactPhone: contactPhone.trim(),
            active,
          },
        }),
      );
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: vendorsKey });
      onSaved();
    },
  });
  const ready = companyName.trim() && parsedAreas.length > 0 && skills.length > 0 && businessHours.trim() && hourlyRateYen !== '' && callOutFeeYen !== '' && capacity !== '' && contactName.trim() && contactEmail.trim() && contactPhone.trim();
  return (
    <Modal opened onClose={onClose} size="lg" title={editing.profile ? t('partners.vendors.editTitle', { name: editing.name }) : t('partners.vendors.addTitle')} closeButtonProps={{ 'aria-label': t('admin.close') }}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) save.mutate();
        }}
      >
        <Stack gap="sm">
          <TextInput label={t('partners.vendors.company')} value={companyName} onChange={(e) => setCompanyName(e.currentTarget.value)} maxLength={200} required />
          <Textarea label={t('partners.vendors.areas')} description={t('partners.vendors.areasHint')} value={areas} onChange={(e) => setAreas(e.currentTarget.value)} autosize minRows={2} required />
          <TagsInput label={t('partners.vendors.skills')} description={t('partners.vendors.skillsHint')} data={[...knownSkills]} value={skills} onChange={setSkills} required />
          <TextInput label={t('partners.vendors.hours')} placeholder={t('partners.vendors.hoursExample')} value={businessHours} onChange={(e) => setBusinessHours(e.currentTarget.value)} maxLength={200} required />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <NumberInput label={t('partners.vendors.hourlyRate')} value={hourlyRateYen} onChange={setHourly} min={0} allowDecimal={false} thousandSeparator="," required />
            <NumberInput label={t('partners.vendors.callOutFee')} value={callOutFeeYen} onChange={setCallOut} min={0} allowDecimal={false} thousandSeparator="," required />
            <NumberInput label={t('partners.vendors.capacity')} description={t('partners.vendors.capacityHint')} value={capacity} onChange={setCapacity} min={1} max={100} allowDecimal={false} required />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label={t('partners.vendors.contactName')} value={contactName} onChange={(e) => setContactName(e.currentTarget.value)} maxLength={100} required />
            <TextInput label={t('partners.vendors.contactPhone')} value={contactPhone} onChange={(e) => setContactPhone(e.currentTarget.value)} maxLength={40} required />
          </SimpleGrid>
          <TextInput label={t('partners.vendors.contactEmail')} type="email" value={contactEmail} onChange={(e) => setContactEmail(e.currentTarget.value)} required />
          <Switch label={t('partners.vendors.active')} checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
          {save.isError && <ApiErrorAlert error={save.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('partners.cancel')}
            </Button>
            <Button type="submit" disabled={!ready} loading={save.isPending}>
              {t('partners.vendors.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
