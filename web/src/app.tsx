/**
 * The shell: restores the session (GET /me), loads what every page shares (the active
 * policy, organizations, people when allowed), shows role-aware navigation and picks the page.
 * Customers get the portal; staff get queues, tickets and — managers and admins — the
 * dashboard and the policy editor.
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, get, post, setUnauthenticatedHandler, type Me } from './api.ts';
import { parsePolicy } from './policy-model.ts';
import { Link, match, navigate, useLocation } from './router.tsx';
import { SessionContext, canReport, isManager, isStaff, type Session } from './session.tsx';
import { ContactPage } from './pages/contact.tsx';
import { SupportHoursPage } from './pages/support-hours.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { DrillPracticePage, DrillScoresPage, DrillsPage } from './pages/drills.tsx';
import { QuickReferencePage } from './pages/quick-reference.tsx';
import { LoginPage } from './pages/login.tsx';
import { MatrixPage } from './pages/matrix.tsx';
import { NewTicketPage } from './pages/new-ticket.tsx';
import { PolicyEditorPage } from './pages/policy-editor.tsx';
import { PortalHome, PortalNewTicket } from './pages/portal.tsx';
import { PortalTicketPage } from './pages/portal-ticket.tsx';
import { QueuesPage } from './pages/queues.tsx';
import { RatePage } from './pages/rate.tsx';
import { RiskQueuePage } from './pages/risk-queue.tsx';
import { AdminPage } from './pages/admin.tsx';
import { NotFoundPage, SetPasswordPage } from './pages/set-password.tsx';
import { TicketPage } from './pages/ticket-view.tsx';

type Boot = { state: 'loading' } | { state: 'anonymous' } | { state: 'ready'; session: Omit<Session, 'signOut' | 'reloadPolicy'> };

async function loadSession(me: Me): Promise<Omit<Session, 'signOut' | 'reloadPolicy'>> {
  const staff = isStaff(me.role);
  const [policyDoc, orgList, userList] = await Promise.all([
    staff ? get('/policy').catch(() => null) : Promise.resolve(null),
    staff ? get('/organizations').then((r) => r.items).catch(() => []) : me.organization_id ? get('/organizations/{orgId}', { params: { path: { orgId: me.organization_id } } }).then((o) => [o]).catch(() => []) : Promise.resolve([]),
    staff ? get('/directory').then((r) => r.items).catch(() => []) : Promise.resolve([]),
  ]);
  let policy: Session['policy'] = null;
  if (policyDoc) {
    try {
      policy = { doc: policyDoc, model: parsePolicy(policyDoc.source) };
    } catch {
      policy = null;
    }
  }
  return { me, policy, orgs: new Map(orgList.map((o) => [o.id, o])), users: new Map(userList.map((u) => [u.id, u])) };
}

export function App() {
  const [boot, setBoot] = useState<Boot>({ state: 'loading' });
  const { path, query } = useLocation();

  const start = useCallback(async (me: Me) => {
    setBoot({ state: 'ready', session: await loadSession(me) });
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => setBoot({ state: 'anonymous' }));
    get('/me')
      .then(start)
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) setBoot({ state: 'anonymous' });
        else setBoot({ state: 'anonymous' });
      });
  }, [start]);

  // Public pages: the contact form and the satisfaction survey need no account.
  if (path === '/contact') return <Frame>{<ContactPage />}</Frame>;
  if (path === '/support-hours') return <Frame>{<SupportHoursPage />}</Frame>;
  if (path === '/set-password') return <Frame>{<SetPasswordPage token={query.get('token') ?? ''} />}</Frame>;
  const rate = match('/rate/:token', path);
  if (rate?.token) return <Frame>{<RatePage token={rate.token} />}</Frame>;

  if (boot.state === 'loading') return <p className="boot">Loading…</p>;
  if (boot.state === 'anonymous') {
    return (
      <Frame>
        <LoginPage
          onSignedIn={async (me) => {
            await start(me);
            const home = me.role === 'customer' ? '/portal' : '/queues/mine';
            navigate(path === '/' || path === '/login' || (me.role === 'customer') !== path.startsWith('/portal') ? home : location.pathname + location.search, true);
          }}
        />
      </Frame>
    );
  }
  const session: Session = {
    ...boot.session,
    signOut: async () => {
      await post('/auth/logout').catch(() => undefined);
      setBoot({ state: 'anonymous' });
      navigate('/login', true);
    },
    reloadPolicy: async () => {
      const doc = await get('/policy');
      setBoot({ state: 'ready', session: { ...boot.session, policy: { doc, model: parsePolicy(doc.source) } } });
    },
  };
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} path={path} />
    </SessionContext.Provider>
  );
}

function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="frame">
      <header className="topbar">
        <a className="brand" href="/">
          <Logo /> Escalon
        </a>
      </header>
      <main id="main">{children}</main>
    </div>
  );
}

function Logo() {
  return (
    <svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M2 14 8 2l6 12z" fill="currentColor" />
    </svg>
  );
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, true), [to]);
  return null;
}

function Shell({ session, path }: { session: Session; path: string }) {
  const { me } = session;
  const staff = isStaff(me.role);
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [path]);

  const nav: Array<[string, string]> = staff
    ? [
        ['/queues/mine', 'Queues'],
        ['/risk', 'Likely to breach'],
        ['/tickets/new', 'New ticket'],
        ...(canReport(me.role) ? ([['/dashboard', 'Dashboard']] as Array<[string, string]>) : []),
        ['/matrix', 'Escalation matrix'],
        ['/quick-reference', 'Quick reference'],
        ['/drills', 'Drills'],
        ...(isManager(me.role) ? ([['/policy', 'Policy'], ['/admin', 'Admin']] as Array<[string, string]>) : []),
      ]
    : [
        ['/portal', 'My requests'],
        ['/portal/new', 'New request'],
      ];

  let page: ReactNode;
  const q = match('/queues/:view', path);
  const t = match('/tickets/:key', path);
  const pt = match('/portal/tickets/:key', path);
  if (!staff) {
    if (path === '/portal/new') page = <PortalNewTicket />;
    else if (pt?.key) page = <PortalTicketPage ticketKey={pt.key} />;
    else if (path === '/portal') page = <PortalHome />;
    // The console's own pages (and the portal's unknown ones) lead a customer home; any other path is not found.
    else if (path === '/' || path === '/login' || /^\/(portal|queues|tickets|dashboard|matrix|policy|admin|quick-reference|drills|risk)(\/|$)/.test(path)) page = <Redirect to="/portal" />;
    else page = <NotFoundPage path={path} home={{ to: '/portal', text: 'Back to my requests' }} />;
  } else if (q?.view) page = ['awaiting', 'mine', 'team', 'escalated', 'breaching'].includes(q.view) ? <QueuesPage view={q.view} /> : <Redirect to="/queues/mine" />;
  else if (path === '/tickets/new') page = <NewTicketPage />;
  else if (path === '/risk') page = <RiskQueuePage />;
  else if (t?.key) page = <TicketPage ticketKey={t.key} />;
  else if (path === '/dashboard' && canReport(me.role)) page = <DashboardPage />;
  else if (path === '/matrix') page = <MatrixPage />;
  else if (path === '/quick-reference') page = <QuickReferencePage />;
  else if (path === '/drills') page = <DrillsPage />;
  else if (match('/drills/:id/scores', path)?.id && isManager(me.role)) page = <DrillScoresPage id={match('/drills/:id/scores', path)?.id ?? ''} />;
  else if (match('/drills/:id', path)?.id) page = <DrillPracticePage id={match('/drills/:id', path)?.id ?? ''} />;
  else if (path === '/policy' && isManager(me.role)) page = <PolicyEditorPage />;
  else if ((path === '/admin' || path.startsWith('/admin/')) && isManager(me.role)) page = <AdminPage path={path} />;
  else if (path === '/' || path === '/login' || path === '/queues' || path.startsWith('/portal')) page = <Redirect to="/queues/mine" />;
  else page = <NotFoundPage path={path} home={{ to: '/queues/mine', text: 'Back to the queues' }} />;

  return (
    <div className="frame">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link className="brand" to={staff ? '/queues/mine' : '/portal'}>
          <Logo /> Escalon{staff ? '' : ' Support'}
        </Link>
        <button className="menu-toggle" aria-expanded={menuOpen} aria-controls="nav" onClick={() => setMenuOpen(!menuOpen)}>
          Menu
        </button>
        <nav id="nav" aria-label="Main" className={menuOpen ? 'open' : ''}>
          {nav.map(([to, text]) => (
            <Link key={to} to={to} aria-current={path === to || (to === '/queues/mine' && path.startsWith('/queues')) || (to === '/drills' && path.startsWith('/drills/')) || (to === '/admin' && path.startsWith('/admin/')) ? 'page' : undefined}>
              {text}
            </Link>
          ))}
        </nav>
        <div className="who">
          <span title={me.email}>
            {me.name} <span className="role">{me.role}</span>
          </span>
          <button className="link" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{page}</main>
    </div>
  );
}
