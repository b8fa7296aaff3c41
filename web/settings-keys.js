// Settings → API Keys: create (the key is shown once), list, revoke.
import { h, timeEl } from './dom.js';
import { api, enc, session } from './api.js';
import { pageHeader, button, showDialog, field, toast, confirmDialog } from './ui.js';

export async function renderApiKeys(ctx) {
  const { ws, main, signal } = ctx;
  const answer = await api.get(`/${enc(ws)}/api-keys`, { signal });
  if (signal.aborted) return;
  const keys = Array.isArray(answer) ? answer : answer.keys || answer.apiKeys || [];
  const me = session().user || {};
  main.append(pageHeader('API Keys', 'Keys let scripts, the CLI and the Python SDK act as you in this workspace. They can never delete permanently.',
    button('Create API key', () => createKey(ctx), { variant: 'primary' })));
  if (keys.length === 0) {
    main.append(h('div', { class: 'card' }, h('p', { class: 'muted' }, 'No API keys yet.')));
    return;
  }
  main.append(h('div', { class: 'card table-card' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, ['Name', 'Key', 'Owner', 'Created', 'Last used'].map((t) => h('th', { scope: 'col' }, t)),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
    h('tbody', {}, keys.map((k) => h('tr', { 'data-key': k.id },
      h('th', { scope: 'row' }, k.name),
      h('td', {}, h('code', {}, `${k.prefix || 'lk_'}…`)),
      h('td', {}, k.userEmail === me.email ? 'You' : k.userEmail || '—'),
      h('td', {}, timeEl(k.createdAt)),
      h('td', {}, k.lastUsedAt ? timeEl(k.lastUsedAt) : 'Never'),
      h('td', { class: 'cell-actions' }, button('Revoke', async () => {
        const ok = await confirmDialog({
          title: `Revoke key “${k.name}”?`, description: 'Scripts using it stop working at once.',
          submitLabel: 'Revoke key', danger: true, onSubmit: () => api.del(`/${enc(ws)}/api-keys/${enc(k.id)}`),
        });
        if (ok) {
          toast('API key revoked', { kind: 'success' });
          ctx.refresh();
        }
      }, { small: true, variant: 'ghost-danger', 'aria-label': `Revoke key ${k.name}` }))))))));
}

async function createKey(ctx) {
  const name = h('input', { class: 'input', required: true, autocomplete: 'off' });
  const created = await showDialog({
    name: 'create-key',
    title: 'Create API key',
    content: [field('Name', name, 'For example the machine or script that will use it.')],
    submitLabel: 'Create key',
    onSubmit: () => {
      if (!name.value.trim()) throw new Error('Name is required.');
      return api.post(`/${enc(ctx.ws)}/api-keys`, { name: name.value.trim() });
    },
  });
  if (!created) return;
  const keyField = h('input', { class: 'input mono', readonly: true, value: created.key, 'data-new-key': true });
  const copy = button('Copy', async () => {
    keyField.select();
    try {
      await navigator.clipboard.writeText(created.key);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select and copy';
    }
  }, { small: true });
  await showDialog({
    name: 'new-key',
    title: 'Your new API key',
    description: 'Copy it now: it is shown only once and cannot be recovered.',
    content: [field('API key', keyField), copy],
    submitLabel: 'Done',
    hideCancel: true,
  });
  ctx.refresh();
}
