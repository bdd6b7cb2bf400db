import { Button, Center, Loader, Stack } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { AuthFrame } from './auth/AuthFrame.tsx';
import { ForgotPasswordPage } from './auth/ForgotPasswordPage.tsx';
import { LoginPage } from './auth/LoginPage.tsx';
import { ResetPasswordPage } from './auth/ResetPasswordPage.tsx';
import { useSession } from './auth/session.ts';
import { ApiErrorAlert } from './errors/ApiErrorAlert.tsx';
import { Redirect } from './router/Redirect.tsx';
import { useLocation } from './router/router.ts';
import { AppShellLayout } from './shell/AppShellLayout.tsx';
import { AuditLogPage } from './admin/AuditLogPage.tsx';
import { DevMailboxPage } from './admin/DevMailboxPage.tsx';
import { adminPagePaths, adminPagesOfRole } from './admin/adminPages.ts';
import { InvoicesPage } from './billing/InvoicesPage.tsx';
import { ApplicationsPage } from './operator/ApplicationsPage.tsx';
import { HomePanel } from './shell/HomePanel.tsx';
import { IncidentQueuePage } from './incidents/IncidentQueuePage.tsx';
import { NotFoundPanel } from './shell/NotFoundPanel.tsx';

// The dashboard carries ECharts: its own chunk, fetched when the page is opened.
const KpiDashboardPage = lazy(() => import('./operator/KpiDashboardPage.tsx').then((m) => ({ default: m.KpiDashboardPage })));
// Monitoring pages: each its own chunk (the statistics page carries ECharts), except the queue,
// the analysts' first screen: it is in the entry, so it renders without waiting for a chunk.
const IncidentDetailPage = lazy(() => import('./incidents/IncidentDetailPage.tsx').then((m) => ({ default: m.IncidentDetailPage })));
const PortalPage = lazy(() => import('./portal/PortalPage.tsx').then((m) => ({ default: m.PortalPage })));
const StatsPage = lazy(() => import('./stats/StatsPage.tsx').then((m) => ({ default: m.StatsPage })));
// Operator console: the subscriber directory and the rules/feeds status, each their own chunk.
const SubscribersPage = lazy(() => import('./subscribers/SubscribersPage.tsx').then((m) => ({ default: m.SubscribersPage })));
const SubscriberDetailPage = lazy(() => import('./subscribers/SubscriberDetailPage.tsx').then((m) => ({ default: m.SubscriberDetailPage })));
const FeedsPage = lazy(() => import('./feeds/FeedsPage.tsx').then((m) => ({ default: m.FeedsPage })));
const subscriberPath = /^\/subscribers\/([0-9a-f-]{36})$/;
// @lazy:operator
const HelpdeskPage = lazy(() => import('./helpdesk/HelpdeskPage.tsx').then((m) => ({ default: m.HelpdeskPage })));
const TicketDetailPage = lazy(() => import('./helpdesk/TicketDetailPage.tsx').then((m) => ({ default: m.TicketDetailPage })));
const ticketPath = /^\/helpdesk\/([0-9a-f-]{36})$/;
// @lazy:helpdesk
// Partner pages (vendors, dispatches, vendor jobs, insurer claims): each its own chunk.
const VendorRegistryPage = lazy(() => import('./vendor/VendorRegistryPage.tsx').then((m) => ({ default: m.VendorRegistryPage })));
const VendorJobsPage = lazy(() => import('./vendor/VendorJobsPage.tsx').then((m) => ({ default: m.VendorJobsPage })));
const DispatchesPage = lazy(() => import('./dispatch/DispatchesPage.tsx').then((m) => ({ default: m.DispatchesPage })));
const InsurerClaimsPage = lazy(() => import('./insurer/InsurerClaimsPage.tsx').then((m) => ({ default: m.InsurerClaimsPage })));
const partnerDetailPath = /^\/(vendor\/jobs|insurer\/claims|dispatches)(?:\/([0-9a-f-]{36}))?$/;
// @lazy:partners
const incidentPath = /^\/incidents\/([0-9a-f-]{36})$/;

/** The route table: signed-out pages, then everything else inside the signed-in shell. */
export function App() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const session = useSession();

  // The password pages work whether or not someone is signed in on this browser.
  if (pathname === '/forgot-password') return <ForgotPasswordPage />;
  if (pathname === '/reset-password') return <ResetPasswordPage />;

  if (session.isPending) {
    return (
      <Center mih="100dvh">
        <Loader aria-label={t('common.loading')} />
      </Center>
    );
  }
  if (session.isError) {
    return (
      <AuthFrame title={t('login.title')}>
        <Stack gap="md">
          <ApiErrorAlert error={session.error} />
          <Button variant="default" onClick={() => void session.refetch()}>
            {t('common.retry')}
          </Button>
        </Stack>
      </AuthFrame>
    );
  }
  if (!session.data) {
    return (
      <>
        {pathname !== '/login' && <Redirect to="/login" />}
        <LoginPage />
      </>
    );
  }
  if (pathname === '/login') return <Redirect to="/" />;
  const adminPages = adminPagesOfRole(session.data.user.role);
  let page = <NotFoundPanel />;
  if (pathname === '/') page = <HomePanel session={session.data} />;
  else if (pathname === adminPagePaths.kpi && adminPages.includes('kpi')) {
    page = (
      <Suspense fallback={<Loader aria-label={t('common.loading')} />}>
        <KpiDashboardPage />
      </Suspense>
    );
  } else if (pathname === adminPagePaths.invoices && adminPages.includes('invoices')) page = <InvoicesPage operator={session.data.user.role === 'operator_admin'} />;
  else if (pathname === adminPagePaths.applications && adminPages.includes('applications')) page = <ApplicationsPage />;
  else if (pathname === '/mailbox' && adminPages.includes('mailbox')) page = <DevMailboxPage />;
  else if (pathname === '/audit-log' && adminPages.includes('auditLog')) page = <AuditLogPage />;
  else if (pathname === adminPagePaths.incidents && adminPages.includes('incidents')) page = <IncidentQueuePage canAct={canTriage(session.data.user.role)} userId={session.data.user.id} />;
  else if (incidentPath.test(pathname) && adminPages.includes('incidents')) {
    const id = incidentPath.exec(pathname)![1]!;
    page = <IncidentDetailPage key={id} id={id} canAct={canTriage(session.data.user.role)} userId={session.data.user.id} />;
  } else if (pathname === adminPagePaths.stats && adminPages.includes('stats')) page = <StatsPage />;
  else if (pathname === adminPagePaths.portal && adminPages.includes('portal')) page = <PortalPage session={session.data} />;
  else if (pathname === adminPagePaths.subscribers && adminPages.includes('subscribers')) page = <SubscribersPage />;
  else if (subscriberPath.test(pathname) && adminPages.includes('subscribers')) {
    const id = subscriberPath.exec(pathname)![1]!;
    page = <SubscriberDetailPage key={id} id={id} />;
  } else if (pathname === adminPagePaths.feeds && adminPages.includes('feeds')) page = <FeedsPage />;
  // @routes:operator (subscribers, feeds)
  else if ((pathname === adminPagePaths.helpdesk || pathname === '/helpdesk/canned-replies') && adminPages.includes('helpdesk')) page = <HelpdeskPage tab={pathname === '/helpdesk/canned-replies' ? 'canned' : 'tickets'} userId={session.data.user.id} />;
  else if (ticketPath.test(pathname) && adminPages.includes('helpdesk')) {
    const id = ticketPath.exec(pathname)![1]!;
    page = <TicketDetailPage key={id} id={id} userId={session.data.user.id} />;
  }
  // @routes:helpdesk (help desk)
  else if (pathname === adminPagePaths.vendors && adminPages.includes('vendors')) page = <VendorRegistryPage />;
  else if (partnerDetailPath.test(pathname)) {
    const [, section, id] = partnerDetailPath.exec(pathname)!;
    if (section === 'vendor/jobs' && adminPages.includes('vendorJobs')) page = <VendorJobsPage key={id ?? 'list'} {...(id ? { id } : {})} />;
    else if (section === 'insurer/claims' && adminPages.includes('insurerClaims')) page = <InsurerClaimsPage key={id ?? 'list'} {...(id ? { id } : {})} />;
    else if (section === 'dispatches' && adminPages.includes('dispatches')) page = <DispatchesPage key={id ?? 'list'} {...(id ? { id } : {})} />;
  }
  // @routes:partners (vendors, dispatches, vendor jobs, insurer claims)
  return (
    <AppShellLayout session={session.data}>
      <Suspense fallback={<Loader aria-label={t('common.loading')} />}>{page}</Suspense>
    </AppShellLayout>
  );
}

/** Triage (transitions, assignment, notes, suppressions) is the analysts' work; the help desk reads. */
function canTriage(role: string): boolean {
  return role === 'operator_admin' || role === 'analyst';
}
