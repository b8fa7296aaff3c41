// Entry point: loads the session, routes location.pathname to a page, keeps the top bar current.
import { h, clear } from './dom.js';
import { api, session, setSession, onUnauthorized, workspaceInfo, can } from './api.js';
import { alertBox, toast, button } from './ui.js';
import { renderLogin } from './page-login.js';
import { renderInvite } from './page-invite.js';
import { renderHome } from './page-home.js';
import { renderProject } from './page-project.js';
import { renderWorkflows } from './page-workflows.js';
import { renderSettings, SETTINGS_TABS } from './page-settings.js';

const routes = [
  { pattern: /^\/app\/login\/?$/, page: 'login', public: true },
  { pattern: /^\/app\/invite\/([^/]+)\/?$/, page: 'invite', public: true, keys: ['token'] },
  { pattern: /^\/app\/?$/, page: 'root' },
  { pattern: /^\/app\/([^/]+)\/?$/, page: 'home', keys: ['ws'] },
  { pattern: /^\/app\/([^/]+)\/workflows\/?$/, page: 'workflows', keys: ['ws'] },
  { pattern: /^\/app\/([^/]+)\/settings\/?$/, page: 'settings', keys: ['ws'] },
  { pattern: /^\/app\/([^/]+)\/settings\/([^/]+)\/?$/, page: 'settings', keys: ['ws', 'tab'] },
  { pattern: /^\/app\/([^/]+)\/([^/]+)\/?$/, page: 'project', keys: ['ws', 'project'] },
];

let current = null; // {controller}

function match(pathname) {
  for (const route of routes) {
    // `invite` is not a reserved word: a member of a workspace called so reaches its projects there.
    if (route.page === 'invite' && workspaceInfo('invite')) continue;
    const m = pathname.match(route.pattern);
    if (m) {
      const params = {};
      (route.keys || []).forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1]);
      });
      return { route, params };
    }
  }
  return null;
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  render();
}

function loginUrl() {
  const next = location.pathname + location.search;
  return `/app/login?next=${encodeURIComponent(next)}`;
}

onUnauthorized(() => {
  if (location.pathname.startsWith('/app/login') || location.pathname.startsWith('/app/invite/')) return;
  setSession(null);
  navigate(loginUrl(), { replace: true });
});

async function loadSession() {
  try {
    const s = await api.get('/app/api/session');
    setSession(s);
  } catch (err) {
    if (err.status !== 401) throw err;
    setSession(null);
  }
}

function renderTopbar(ws, pageName) {
  const bar = document.getElementById('topbar');
  clear(bar);
  const s = session();
  if (!s || !ws) {
    bar.hidden = true;
    return;
  }
  bar.hidden = false;
  const workspaces = s.workspaces || [];
  const navLink = (href, label, active) => h('a', { href, class: `nav-link${active ? ' active' : ''}`, 'aria-current': active ? 'page' : null }, label);
  let switcher;
  if (workspaces.length > 1) {
    const select = h('select', {
      id: 'ws-switcher', class: 'select select-compact', 'aria-label': 'Workspace',
      onchange: (e) => navigate(`/app/${encodeURIComponent(e.target.value)}`),
    }, workspaces.map((w) => h('option', { value: w.url, selected: w.url === ws }, w.name || w.url)));
    switcher = h('div', { class: 'ws-switcher' }, select);
  } else {
    const info = workspaceInfo(ws);
    switcher = h('span', { class: 'ws-name' }, info ? info.name || info.url : ws);
  }
  const userName = (s.user && (s.user.name || s.user.email)) || '';
  bar.append(
    h('div', { class: 'topbar-inner' },
      h('a', { href: `/app/${encodeURIComponent(ws)}`, class: 'brand', 'aria-label': 'Limbo home' },
        h('img', { src: '/app/static/favicon.svg', alt: '', width: 24, height: 24 }), h('span', {}, 'Limbo')),
      switcher,
      h('nav', { class: 'nav', 'aria-label': 'Main' },
        navLink(`/app/${encodeURIComponent(ws)}`, 'Projects', pageName === 'home' || pageName === 'project'),
        navLink(`/app/${encodeURIComponent(ws)}/workflows`, 'Workflows', pageName === 'workflows'),
        navLink(`/app/${encodeURIComponent(ws)}/settings`, 'Settings', pageName === 'settings')),
      h('div', { class: 'user' },
        h('span', { class: 'user-name', title: (s.user && s.user.email) || '' }, userName),
        button('Log out', logout, { small: true }))));
}

async function logout() {
  try {
    await api.post('/app/api/logout', {});
  } catch {
    // The session is gone either way; the login page follows.
  }
  setSession(null);
  navigate('/app/login', { replace: true });
  toast('You are logged out.');
}

export async function render() {
  if (current) current.controller.abort();
  const controller = new AbortController();
  current = { controller };
  const main = document.getElementById('main');
  document.querySelectorAll('.tooltip').forEach((t) => t.remove());
  const matched = match(location.pathname);
  clear(main);
  delete main.dataset.ready;

  if (!matched) {
    renderTopbar(null);
    main.append(h('div', { class: 'page narrow' }, h('h1', {}, 'Page not found'), h('p', {}, h('a', { href: '/app' }, 'Go to your workspace'))));
    return;
  }
  const { route, params } = matched;

  if (!route.public && !session()) {
    navigate(loginUrl(), { replace: true });
    return;
  }
  if (route.page === 'login' && session()) {
    const next = new URLSearchParams(location.search).get('next');
    navigate(next && next.startsWith('/app') && !next.startsWith('//') && !next.startsWith('/app/login') ? next : '/app', { replace: true });
    return;
  }
  if (route.page === 'login') {
    renderTopbar(null);
    document.title = 'Log in · Limbo';
    renderLogin({ main, navigate });
    return;
  }
  if (route.page === 'invite') {
    renderTopbar(null);
    document.title = 'Accept invitation · Limbo';
    try {
      await renderInvite({ main, navigate, token: params.token });
    } catch (err) {
      main.append(h('div', { class: 'page narrow' }, alertBox(err)));
    }
    return;
  }
  if (route.page === 'root') {
    const first = (session().workspaces || [])[0];
    if (first) navigate(`/app/${encodeURIComponent(first.url)}`, { replace: true });
    else {
      // Invitations addressed to this email are listed, but joining needs the link that was sent:
      // whoever made an account with this email first must not join in its owner's place.
      let invitations = [];
      try {
        invitations = (await api.get('/app/api/invitations')).invitations || [];
      } catch {
        invitations = [];
      }
      main.append(h('div', { class: 'page narrow' }, h('h1', {}, 'No workspace'), h('p', {}, 'You are not a member of any workspace yet.'),
        invitations.length ? h('div', { class: 'card', 'data-my-invitations': true },
          h('p', {}, 'You are invited to:'),
          h('ul', {}, invitations.map((i) => h('li', {}, h('strong', {}, i.workspace.name || i.workspace.url), ` as ${i.roleName || i.role}`))),
          h('p', { class: 'muted' }, 'Open the invitation link you were sent to join.')) : null));
      main.dataset.ready = 'root';
    }
    return;
  }

  const ws = params.ws;
  if (!workspaceInfo(ws)) {
    renderTopbar((session().workspaces || [])[0] ? session().workspaces[0].url : null, '');
    main.append(h('div', { class: 'page narrow' }, h('h1', {}, 'Workspace not found'),
      h('p', {}, 'It does not exist or you are not a member of it.'), h('p', {}, h('a', { href: '/app' }, 'Go to your workspace'))));
    return;
  }
  renderTopbar(ws, route.page);
  const ctx = {
    ws, params, main, navigate, signal: controller.signal, can: (...p) => can(ws, ...p),
    refresh: () => render(),
  };
  try {
    if (route.page === 'home') await renderHome(ctx);
    else if (route.page === 'project') await renderProject(ctx);
    else if (route.page === 'workflows') await renderWorkflows(ctx);
    else if (route.page === 'settings') {
      if (!params.tab || !SETTINGS_TABS.some((t) => t.id === params.tab)) {
        navigate(`/app/${encodeURIComponent(ws)}/settings/members`, { replace: true });
        return;
      }
      await renderSettings(ctx);
    }
  } catch (err) {
    if (controller.signal.aborted || err.name === 'AbortError') return;
    if (err.status === 401) return;
    clear(main);
    main.append(h('div', { class: 'page' }, alertBox(err)));
  }
  if (!controller.signal.aborted) main.dataset.ready = route.page;
}

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/app') || url.pathname.startsWith('/app/static/') || url.pathname.startsWith('/app/api/')) return;
  e.preventDefault();
  if (url.pathname + url.search === location.pathname + location.search) return;
  navigate(url.pathname + url.search);
  document.getElementById('main').focus({ preventScroll: true });
});

window.addEventListener('popstate', () => render());

async function start() {
  try {
    await loadSession();
  } catch (err) {
    const main = document.getElementById('main');
    clear(main);
    main.append(h('div', { class: 'page narrow' }, alertBox(err)));
    return;
  }
  render();
}

start();
