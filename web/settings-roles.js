// Settings → Roles: built-in roles (read only) and custom roles with one checkbox per permission.
import { h, uid } from './dom.js';
import { api, enc } from './api.js';
import { pageHeader, button, showDialog, field, toast, errorToast, confirmDialog } from './ui.js';

export const PERMISSION_GROUPS = [
  {
    name: 'Trash',
    permissions: [
      ['view_trash', 'See the Trash and its items'],
      ['trash_dataset', 'Move projects to the Trash'],
      ['restore_dataset', 'Restore projects from the Trash'],
      ['trash_version', 'Move versions to the Trash'],
      ['restore_version', 'Restore versions from the Trash'],
      ['trash_training', 'Move training runs to the Trash'],
      ['restore_training', 'Restore training runs from the Trash'],
      ['trash_workflow', 'Move workflows to the Trash'],
      ['restore_workflow', 'Restore workflows from the Trash'],
    ],
  },
  {
    name: 'Content',
    permissions: [
      ['create_project', 'Create projects and folders'],
      ['upload_images', 'Upload images'],
      ['generate_version', 'Generate versions'],
      ['train_model', 'Start and cancel training'],
      ['manage_workflows', 'Create workflows'],
    ],
  },
  {
    name: 'Administration',
    permissions: [
      ['manage_members', 'Add, change and remove members'],
      ['manage_roles', 'Create and edit roles'],
      ['manage_api_keys', 'See and revoke everyone’s API keys'],
      ['manage_workspace', 'Change workspace settings'],
    ],
  },
];

/** Grouped permission checkboxes; `values()` answers the checked identifiers. */
export function permissionPicker(selected, { disabled = false } = {}) {
  const chosen = new Set(selected || []);
  const boxes = [];
  const el = h('div', { class: 'perm-groups' }, PERMISSION_GROUPS.map((group) => h('fieldset', { class: 'perm-group' },
    h('legend', {}, group.name),
    group.permissions.map(([perm, text]) => {
      const id = uid('perm');
      const box = h('input', { type: 'checkbox', id, value: perm, checked: chosen.has(perm), disabled, 'data-permission': perm });
      boxes.push(box);
      return h('div', { class: 'check-field' }, box,
        h('label', { for: id }, h('code', {}, perm), h('span', { class: 'perm-text' }, text)));
    }))));
  return { el, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

export async function renderRoles(ctx) {
  const { ws, main, signal } = ctx;
  const answer = await api.get(`/${enc(ws)}/roles`, { signal });
  if (signal.aborted) return;
  const roles = Array.isArray(answer) ? answer : answer.roles || [];
  const canManage = ctx.can('manage_roles');
  main.append(pageHeader('Roles', 'What each role may do. Owner and Member are built in; custom roles take any set of permissions.',
    canManage ? button('New role', () => newRole(ctx), { variant: 'primary' }) : null));
  for (const role of roles) {
    const editable = canManage && !role.builtin;
    const picker = permissionPicker(role.permissions, { disabled: !editable });
    const name = h('input', { class: 'input', value: role.name, disabled: !editable, autocomplete: 'off' });
    main.append(h('section', { class: 'card role-card', 'data-role': role.id, 'aria-label': `Role ${role.name}` },
      h('div', { class: 'card-head' },
        h('h2', { class: 'card-title' }, role.name, role.builtin ? h('span', { class: 'badge' }, 'Built-in') : null),
        h('span', { class: 'muted small' }, `${(role.permissions || []).length} permissions`)),
      editable ? field('Role name', name) : null,
      picker.el,
      editable ? h('div', { class: 'form-actions' },
        button('Delete role', async () => {
          const ok = await confirmDialog({
            title: `Delete role “${role.name}”?`, description: 'Members must not hold it any more.',
            submitLabel: 'Delete role', danger: true, onSubmit: () => api.del(`/${enc(ws)}/roles/${enc(role.id)}`),
          });
          if (ok) ctx.refresh();
        }, { variant: 'ghost-danger' }),
        button('Save changes', async () => {
          try {
            await api.patch(`/${enc(ws)}/roles/${enc(role.id)}`, { name: name.value.trim(), permissions: picker.values() });
            toast(`Saved role “${name.value.trim()}”`, { kind: 'success' });
          } catch (err) {
            errorToast(err);
          }
        }, { variant: 'primary' })) : null));
  }
}

async function newRole(ctx) {
  const name = h('input', { class: 'input', required: true, autocomplete: 'off' });
  const picker = permissionPicker([]);
  const created = await showDialog({
    name: 'new-role',
    title: 'New role',
    content: [field('Role name', name), picker.el],
    submitLabel: 'Create role',
    onSubmit: () => {
      if (!name.value.trim()) throw new Error('Role name is required.');
      return api.post(`/${enc(ctx.ws)}/roles`, { name: name.value.trim(), permissions: picker.values() });
    },
  });
  if (created) {
    toast(`Created role “${created.name || name.value}”`, { kind: 'success' });
    ctx.refresh();
  }
}
