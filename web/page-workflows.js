// /app/:ws/workflows — list, create and delete workflows.
import { h, plural, timeEl } from './dom.js';
import { api, enc } from './api.js';
import { pageHeader, button, showDialog, field, emptyState, toast } from './ui.js';
import { deleteFlow, canTrash } from './delete-flow.js';

export async function renderWorkflows(ctx) {
  const { ws, main, signal } = ctx;
  const [answer, workspace] = await Promise.all([
    api.get(`/${enc(ws)}/workflows`, { signal }),
    api.get(`/${enc(ws)}`, { signal }).then((a) => a.workspace || a).catch(() => ({})),
  ]);
  if (signal.aborted) return;
  const workflows = answer.workflows || [];
  document.title = `Workflows · ${workspace.name || ws} · Limbo`;
  const canManage = ctx.can('manage_workflows');
  const page = h('div', { class: 'page' },
    pageHeader('Workflows', plural(workflows.length, 'workflow'),
      canManage ? button('New workflow', () => newWorkflow(ctx), { variant: 'primary' }) : null));
  if (workflows.length === 0) {
    page.append(emptyState('No workflows yet', canManage ? 'A workflow chains models behind one endpoint.' : null));
  } else {
    const rows = workflows.map((w) => h('tr', { 'data-workflow': w.url },
      h('th', { scope: 'row' }, w.name || w.url),
      h('td', {}, h('code', {}, w.url)),
      h('td', {}, h('code', { class: 'endpoint' }, `/infer/workflows/${ws}/${w.url}`)),
      h('td', {}, timeEl(w.createdAt)),
      h('td', { class: 'cell-actions' }, canTrash(ctx, 'workflow') ? button('Delete', () => deleteFlow(ctx, 'workflow', w, {
        retentionDays: workspace.retentionDays, onDeleted: () => ctx.refresh(), onRestored: () => ctx.refresh(),
      }), { small: true, variant: 'ghost-danger', 'aria-label': `Delete workflow ${w.name || w.url}` }) : null)));
    page.append(h('div', { class: 'card table-card' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'ID'), h('th', { scope: 'col' }, 'Endpoint'),
        h('th', { scope: 'col' }, 'Created'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows))));
  }
  main.append(page);
}

async function newWorkflow(ctx) {
  const name = h('input', { class: 'input', required: true, autocomplete: 'off' });
  const url = h('input', { class: 'input', autocomplete: 'off' });
  const config = h('textarea', { class: 'input textarea', rows: 6, spellcheck: 'false' });
  config.value = '{\n  "steps": []\n}';
  const created = await showDialog({
    name: 'new-workflow',
    title: 'New workflow',
    content: [field('Name', name), field('URL (optional)', url, 'Derived from the name when empty.'), field('Configuration (JSON)', config)],
    submitLabel: 'Create workflow',
    onSubmit: async () => {
      if (!name.value.trim()) throw new Error('Name is required.');
      let cfg;
      try {
        cfg = config.value.trim() ? JSON.parse(config.value) : {};
      } catch {
        throw new Error('The configuration is not valid JSON.');
      }
      const body = { name: name.value.trim(), config: cfg };
      if (url.value.trim()) body.url = url.value.trim();
      const a = await api.post(`/${enc(ctx.ws)}/workflows`, body);
      return a.workflow || a;
    },
  });
  if (created) {
    toast(`Created workflow “${created.name}”`, { kind: 'success' });
    ctx.refresh();
  }
}
