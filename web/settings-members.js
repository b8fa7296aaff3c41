// Settings → Members: who is in the workspace, with which role, and who is invited. People join by
// accepting an invitation link themselves (SPEC T17): nobody here picks another person's password.
import { h, timeEl } from './dom.js';
import { api, enc, session, workspaceInfo } from './api.js';
import { pageHeader, button, showDialog, field, toast, errorToast, confirmDialog } from './ui.js';

export async function renderMembers(ctx) {
  const { ws, main, signal } = ctx;
  const [members, roles] = await Promise.all([
    api.get(`/${enc(ws)}/members`, { signal }),
    api.get(`/${enc(ws)}/roles`, { signal }).catch(() => []),
  ]);
  if (signal.aborted) return;
  const all = Array.isArray(members) ? members : members.members || [];
  const list = all.filter((m) => m.status !== 'invited');
  const invited = all.filter((m) => m.status === 'invited');
  const roleList = Array.isArray(roles) ? roles : roles.roles || [];
  const canManage = ctx.can('manage_members');
  const me = session().user || {};
  // Nobody gives what they do not hold: roles with a permission the viewer lacks are not offered.
  const mine = new Set((workspaceInfo(ws) || {}).permissions || []);
  const grantable = (r) => (r.permissions || []).every((p) => mine.has(p));

  const roleSelect = (m) => {
    const select = h('select', { class: 'select select-compact', 'aria-label': `Role of ${m.name || m.email}` },
      roleList.map((r) => h('option', { value: r.id, selected: r.id === m.role, disabled: !grantable(r) && r.id !== m.role }, r.name)));
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
      canManage ? button('Invite member', () => inviteMember(ctx, roleList.filter(grantable)), { variant: 'primary' }) : null),
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
  if (invited.length) main.append(invitationsCard(ctx, invited, canManage));
}

function invitationsCard(ctx, invited, canManage) {
  const { ws } = ctx;
  return h('section', { class: 'card table-card', 'aria-labelledby': 'invited-title' },
    h('h2', { id: 'invited-title', class: 'card-title' }, 'Pending invitations'),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Email'), h('th', { scope: 'col' }, 'Role'),
        h('th', { scope: 'col' }, 'Invited by'), h('th', { scope: 'col' }, 'Expires'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, invited.map((m) => h('tr', { 'data-invitation': m.email },
        h('th', { scope: 'row' }, m.email),
        h('td', {}, m.roleName || m.role),
        h('td', {}, (m.invitedBy && m.invitedBy.name) || '—'),
        h('td', {}, timeEl(m.expiresAt)),
        h('td', { class: 'cell-actions' }, canManage ? [
          button('Copy new link', async () => {
            try {
              const fresh = await api.post(`/app/api/${enc(ws)}/invitations/link`, { email: m.email });
              await showLink(fresh, 'The previous link no longer works.');
              ctx.refresh();
            } catch (err) {
              errorToast(err);
            }
          }, { small: true, 'aria-label': `Copy new link for ${m.email}` }),
          button('Revoke', async () => {
            const ok = await confirmDialog({
              title: `Revoke the invitation of ${m.email}?`, description: 'Its link stops working at once.',
              submitLabel: 'Revoke invitation', danger: true, onSubmit: () => api.del(`/${enc(ws)}/members/${enc(m.email)}`),
            });
            if (ok) ctx.refresh();
          }, { small: true, variant: 'ghost-danger', 'aria-label': `Revoke invitation of ${m.email}` }),
        ] : null))))));
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    return document.execCommand && document.execCommand('copy');
  }
}

/** Shows an invitation's link, to copy and send to the person (it is shown only here). */
function showLink(invitation, note) {
  const url = new URL(invitation.inviteUrl, location.origin).href;
  const input = h('input', { class: 'input', type: 'text', readonly: true, value: url, 'data-invite-link': true, spellcheck: 'false' });
  const copy = button('Copy link', async () => {
    const ok = await copyText(url, input);
    toast(ok ? 'Link copied' : 'Select the link and copy it', { kind: ok ? 'success' : 'info' });
  });
  return showDialog({
    name: 'invite-link',
    title: `Invitation link for ${invitation.email}`,
    description: `Send this link to ${invitation.email}. It works once, until ${new Date(invitation.expiresAt).toLocaleDateString()}. ${note || ''}`,
    content: [field('Invitation link', input), h('div', { class: 'dialog-inline-actions' }, copy)],
    submitLabel: 'Done',
    hideCancel: true,
  });
}

async function inviteMember(ctx, roles) {
  const email = h('input', { class: 'input', type: 'email', autocomplete: 'off', required: true });
  const role = h('select', { class: 'select' }, roles.map((r) => h('option', { value: r.id, selected: r.id === 'member' }, r.name)));
  const invitation = await showDialog({
    name: 'invite-member',
    title: 'Invite member',
    description: 'They accept the invitation themselves: a new person chooses their own name and password, someone with an account signs in with theirs.',
    content: [field('Email', email), field('Role', role)],
    submitLabel: 'Create invitation',
    onSubmit: () => {
      if (!email.value.trim()) throw new Error('Email is required.');
      return api.post(`/${enc(ctx.ws)}/members`, { email: email.value.trim(), role: role.value });
    },
  });
  if (invitation && invitation.inviteUrl) await showLink(invitation);
  if (invitation) ctx.refresh();
}
