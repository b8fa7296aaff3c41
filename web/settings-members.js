// Settings → Members: who is in the workspace, with which role.
import { h, timeEl } from './dom.js';
import { api, enc, session } from './api.js';
import { pageHeader, button, showDialog, field, toast, errorToast, confirmDialog } from './ui.js';

export async function renderMembers(ctx) {
  const { ws, main, signal } = ctx;
  const [members, roles] = await Promise.all([
    api.get(`/${enc(ws)}/members`, { signal }),
    api.get(`/${enc(ws)}/roles`, { signal }).catch(() => []),
  ]);
  if (signal.aborted) return;
  const list = Array.isArray(members) ? members : members.members || [];
  const roleList = Array.isArray(roles) ? roles : roles.roles || [];
  const canManage = ctx.can('manage_members');
  const me = session().user || {};

  const roleSelect = (m) => {
    const select = h('select', { class: 'select select-compact', 'aria-label': `Role of ${m.name || m.email}` },
      roleList.map((r) => h('option', { value: r.id, selected: r.id === m.role }, r.name)));
    select.addEventListener('change', async () => {
      try {
        await api.patch(`/${enc(ws)}/members/${enc(m.email)}`, { role: select.value });
        toast(`${m.name || m.email} is now ${select.selectedOptions[0].textContent}`, { kind: 'success' });
      } catch (err) {
        errorToast(err);
        select.value = m.role;
      }
    });
    return select;
  };

  main.append(
    pageHeader('Members', 'People in this workspace and their roles.',
      canManage ? button('Add member', () => addMember(ctx, roleList), { variant: 'primary' }) : null),
    h('div', { class: 'card table-card' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'),
        h('th', { scope: 'col' }, 'Joined'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, list.map((m) => h('tr', { 'data-member': m.email },
        h('th', { scope: 'row' }, m.name || '—', m.email === me.email ? h('span', { class: 'muted small' }, ' (you)') : null),
        h('td', {}, m.email),
        h('td', {}, canManage && m.email !== me.email ? roleSelect(m) : (m.roleName || m.role)),
        h('td', {}, timeEl(m.joinedAt)),
        h('td', { class: 'cell-actions' }, canManage && m.email !== me.email
          ? button('Remove', async () => {
            const ok = await confirmDialog({
              title: `Remove ${m.name || m.email}?`, description: 'They lose access to this workspace. Their content stays.',
              submitLabel: 'Remove member', danger: true, onSubmit: () => api.del(`/${enc(ws)}/members/${enc(m.email)}`),
            });
            if (ok) ctx.refresh();
          }, { small: true, variant: 'ghost-danger' }) : null)))))));
}

async function addMember(ctx, roles) {
  const email = h('input', { class: 'input', type: 'email', autocomplete: 'off', required: true });
  const name = h('input', { class: 'input', autocomplete: 'off' });
  const password = h('input', { class: 'input', type: 'password', autocomplete: 'new-password' });
  const role = h('select', { class: 'select' }, roles.map((r) => h('option', { value: r.id, selected: r.id === 'member' }, r.name)));
  const added = await showDialog({
    name: 'add-member',
    title: 'Add member',
    content: [field('Email', email), field('Name', name), field('Password', password, 'Needed only when the person has no account yet.'), field('Role', role)],
    submitLabel: 'Add member',
    onSubmit: () => {
      if (!email.value.trim()) throw new Error('Email is required.');
      const body = { email: email.value.trim(), name: name.value.trim() || email.value.trim(), role: role.value };
      if (password.value) body.password = password.value;
      return api.post(`/${enc(ctx.ws)}/members`, body);
    },
  });
  if (added) {
    toast('Member added', { kind: 'success' });
    ctx.refresh();
  }
}
