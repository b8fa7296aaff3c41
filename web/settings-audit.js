// Settings → Audit Log: every trash, restore and permanent deletion, newest first.
import { h, timeEl } from './dom.js';
import { api, enc } from './api.js';
import { pageHeader, button, errorToast } from './ui.js';

const ACTIONS = {
  trash: 'Moved to Trash',
  restore: 'Restored',
  delete_permanently: 'Deleted permanently',
  empty_trash: 'Emptied the Trash',
  auto_cleanup: 'Cleaned up automatically',
};

export async function renderAudit(ctx) {
  const { ws, main, signal } = ctx;
  const tbody = h('tbody', {});
  const more = h('div', { class: 'load-more' });
  main.append(pageHeader('Audit Log', 'Trash, restore and permanent deletion events in this workspace.'),
    h('div', { class: 'card table-card' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['When', 'Who', 'Action', 'Item'].map((t) => h('th', { scope: 'col' }, t)))),
      tbody)), more);

  const load = async (cursor) => {
    const answer = await api.get(`/${enc(ws)}/audit`, { query: { limit: 50, cursor }, signal });
    const events = answer.events || [];
    if (!cursor && events.length === 0) tbody.append(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No events yet.')));
    for (const e of events) {
      const item = e.item || {};
      tbody.append(h('tr', { 'data-action': e.action },
        h('td', {}, timeEl(e.at)),
        h('td', {}, e.actor ? e.actor.name || e.actor.id : h('span', { class: 'badge' }, 'system')),
        h('td', {}, ACTIONS[e.action] || e.action),
        h('td', {}, item.name ? [h('span', { class: 'muted small' }, `${item.type || ''} `), item.name] : item.type || '—')));
    }
    more.replaceChildren();
    if (answer.nextCursor) {
      more.append(button('Load more', async (ev) => {
        ev.target.disabled = true;
        try {
          await load(answer.nextCursor);
        } catch (err) {
          ev.target.disabled = false;
          errorToast(err);
        }
      }));
    }
  };
  await load(null);
}
