// /app/:ws/settings/:tab — the Settings sub-navigation and its pages.
import { h } from './dom.js';
import { enc } from './api.js';
import { pageHeader, alertBox } from './ui.js';
import { renderMembers } from './settings-members.js';
import { renderRoles } from './settings-roles.js';
import { renderApiKeys } from './settings-keys.js';
import { renderAudit } from './settings-audit.js';
import { renderTrash } from './page-trash.js';

export const SETTINGS_TABS = [
  { id: 'members', label: 'Members', render: renderMembers },
  { id: 'roles', label: 'Roles', render: renderRoles },
  { id: 'api-keys', label: 'API Keys', render: renderApiKeys },
  { id: 'audit', label: 'Audit Log', render: renderAudit },
  { id: 'trash', label: 'Trash', render: renderTrash, permission: 'view_trash' },
];

export async function renderSettings(ctx) {
  const { ws, main, params } = ctx;
  const tab = SETTINGS_TABS.find((t) => t.id === params.tab);
  const visible = SETTINGS_TABS.filter((t) => !t.permission || ctx.can(t.permission) || t.id === tab.id);
  const nav = h('nav', { class: 'subnav', 'aria-label': 'Settings' },
    h('ul', {}, visible.map((t) => h('li', {},
      h('a', { href: `/app/${enc(ws)}/settings/${t.id}`, class: `subnav-link${t.id === tab.id ? ' active' : ''}`, 'aria-current': t.id === tab.id ? 'page' : null }, t.label)))));
  const content = h('div', { class: 'settings-content' });
  main.append(h('div', { class: 'page settings-page' },
    h('p', { class: 'eyebrow' }, 'Settings'),
    h('div', { class: 'settings-layout' }, nav, content)));
  document.title = `${tab.label} · Settings · Limbo`;
  // On a phone the tabs scroll sideways: bring the current one fully into view.
  const list = nav.querySelector('ul');
  const current = nav.querySelector('[aria-current="page"]');
  if (list && current && list.scrollWidth > list.clientWidth) {
    const right = current.offsetLeft + current.offsetWidth - list.offsetLeft;
    if (right > list.scrollLeft + list.clientWidth) list.scrollLeft = right - list.clientWidth + 8;
  }
  try {
    await tab.render({ ...ctx, main: content });
  } catch (err) {
    if (ctx.signal.aborted || err.status === 401) throw err;
    content.append(pageHeader(tab.label, null), alertBox(err.status === 403 ? `Your role does not allow this page. ${err.message}` : err));
  }
}
