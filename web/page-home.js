// /app/:ws — projects grouped by folder, workflows and the storage bar.
import { h, plural, timeEl, clear } from './dom.js';
import { api, enc } from './api.js';
import { pageHeader, button, showDialog, field, emptyState, toast, promptDialog, alertBox } from './ui.js';
import { storageBar, PROJECT_TYPES, projectTypeName, groupOf } from './widgets.js';
import { deleteFlow, canTrash } from './delete-flow.js';
import { menuButton } from './menu.js';

export async function renderHome(ctx) {
  const { ws, main, signal } = ctx;
  const [wsAnswer, groups, usage, workflows] = await Promise.all([
    api.get(`/${enc(ws)}`, { signal }),
    api.get(`/${enc(ws)}/groups`, { signal }).catch(() => []),
    api.get(`/${enc(ws)}/usage`, { signal }).catch(() => null),
    api.get(`/${enc(ws)}/workflows`, { signal }).then((a) => a.workflows || []).catch(() => []),
  ]);
  if (signal.aborted) return;
  const workspace = wsAnswer.workspace || wsAnswer;
  const projects = workspace.projects || [];
  document.title = `${workspace.name || ws} · Limbo`;

  const canCreate = ctx.can('create_project');
  const page = h('div', { class: 'page' },
    pageHeader(workspace.name || ws, `${plural(projects.length, 'project')} · ${plural(workflows.length, 'workflow')}`,
      canCreate ? button('New folder', () => newFolder(ctx)) : null,
      canCreate ? button('New project', () => newProject(ctx, Array.isArray(groups) ? groups : []), { variant: 'primary' }) : null));

  const layout = h('div', { class: 'home-layout' });
  const content = h('div', { class: 'home-main' });
  const side = h('aside', { class: 'home-side' });
  layout.append(content, side);
  page.append(layout);

  // Projects by folder: folders in name order, projects without a folder last.
  const byGroup = new Map();
  for (const g of Array.isArray(groups) ? groups : []) byGroup.set(g.id, { group: g, projects: [] });
  const loose = [];
  for (const p of projects) {
    const g = groupOf(p);
    if (!g) {
      loose.push(p);
      continue;
    }
    if (!byGroup.has(g.id)) byGroup.set(g.id, { group: g, projects: [] });
    byGroup.get(g.id).projects.push(p);
  }
  const sections = [...byGroup.values()].sort((a, b) => String(a.group.name).localeCompare(String(b.group.name)));
  if (projects.length === 0) {
    content.append(emptyState('No projects yet', canCreate ? 'Create a project to upload images and train models.' : 'Projects created in this workspace appear here.'));
  }
  const thumbs = [];
  for (const { group, projects: list } of sections) {
    if (list.length === 0 && projects.length === 0) continue;
    content.append(projectSection(ctx, group.name, list, thumbs, workspace, true));
  }
  if (loose.length) content.append(projectSection(ctx, sections.length ? 'Not in a folder' : 'Projects', loose, thumbs, workspace, false));

  if (usage) side.append(storageBar(usage));
  side.append(workflowsCard(ctx, workflows));
  if (ctx.can('view_trash')) {
    side.append(h('p', { class: 'side-link' }, h('a', { href: `/app/${enc(ws)}/settings/trash` }, 'Open the Trash')));
  }
  main.append(page);
  loadThumbnails(ctx, thumbs);
}

function projectSection(ctx, title, projects, thumbs, workspace, isFolder) {
  const list = h('ul', { class: 'project-grid' });
  for (const p of projects) list.append(projectCard(ctx, p, thumbs, workspace));
  if (projects.length === 0) list.append(h('li', { class: 'muted empty-folder' }, 'This folder is empty.'));
  return h('section', { class: 'project-section', 'aria-label': title },
    h('h2', { class: 'section-title' }, isFolder ? h('span', { class: 'folder-badge', 'aria-hidden': 'true' }) : null, title,
      h('span', { class: 'count' }, String(projects.length))),
    list);
}

function projectCard(ctx, p, thumbs, workspace) {
  const href = `/app/${enc(ctx.ws)}/${enc(p.url)}`;
  const thumb = h('div', { class: 'thumb', 'aria-hidden': 'true' }, h('span', { class: 'thumb-initial' }, (p.name || p.url || '?').slice(0, 1).toUpperCase()));
  if ((Number(p.images) || 0) > 0) thumbs.push({ project: p, el: thumb });
  return h('li', { class: 'project-card card', 'data-project': p.url },
    thumb,
    h('div', { class: 'project-card-body' },
      h('a', { href, class: 'project-link' }, p.name || p.url),
      h('p', { class: 'muted small' }, projectTypeName(p.type)),
      h('p', { class: 'counts' }, h('span', {}, plural(Number(p.images) || 0, 'image')), h('span', {}, plural(Number(p.versions) || 0, 'version'))),
      p.updatedAt ? h('p', { class: 'muted small' }, 'Updated ', timeEl(p.updatedAt)) : null),
    canTrash(ctx, 'project') ? h('div', { class: 'card-actions' },
      menuButton(`More actions for project ${p.name}`, [{
        label: 'Delete project…', action: 'delete', danger: true,
        onSelect: () => deleteFlow(ctx, 'project', p, {
          retentionDays: workspace.retentionDays, onDeleted: () => ctx.refresh(), onRestored: () => ctx.refresh(),
        }),
      }], { dataset: { cardMenu: p.url } })) : null);
}

async function loadThumbnails(ctx, thumbs) {
  await Promise.all(thumbs.map(async ({ project, el }) => {
    try {
      const answer = await api.get(`/${enc(ctx.ws)}/images`, { query: { project: project.url, limit: 1 }, signal: ctx.signal });
      const first = (answer.images || [])[0];
      if (!first || ctx.signal.aborted) return;
      const img = h('img', { src: `/${enc(ctx.ws)}/images/${enc(first.id)}/content`, alt: '' });
      img.addEventListener('load', () => {
        clear(el);
        el.append(img);
      });
    } catch {
      // A missing thumbnail leaves the initial letter in place.
    }
  }));
}

function workflowsCard(ctx, workflows) {
  const href = `/app/${enc(ctx.ws)}/workflows`;
  return h('section', { class: 'card', 'aria-labelledby': 'wf-title' },
    h('h2', { id: 'wf-title', class: 'card-title' }, 'Workflows'),
    workflows.length === 0
      ? h('p', { class: 'muted' }, 'No workflows yet.')
      : h('ul', { class: 'plain-list' }, workflows.slice(0, 8).map((w) => h('li', {}, h('a', { href }, w.name || w.url), h('span', { class: 'muted small' }, ` /${w.url}`)))),
    h('p', {}, h('a', { href }, workflows.length > 8 ? `All ${workflows.length} workflows` : 'Manage workflows')));
}

async function newProject(ctx, groups) {
  const name = h('input', { class: 'input', name: 'name', required: true, autocomplete: 'off' });
  const url = h('input', { class: 'input', name: 'url', autocomplete: 'off', pattern: '[a-z0-9-]+' });
  const type = h('select', { class: 'select', name: 'type' }, PROJECT_TYPES.map(([id, label]) => h('option', { value: id }, label)));
  const annotation = h('input', { class: 'input', name: 'annotation', value: 'objects', autocomplete: 'off' });
  const group = h('select', { class: 'select', name: 'group' }, h('option', { value: '' }, 'No folder'), groups.map((g) => h('option', { value: g.id }, g.name)));
  const created = await showDialog({
    name: 'new-project',
    title: 'New project',
    content: [field('Name', name), field('URL (optional)', url, 'Lowercase letters, digits and dashes. Derived from the name when empty.'),
      field('Type', type), field('Annotation group', annotation), field('Folder', group)],
    submitLabel: 'Create project',
    onSubmit: async () => {
      if (!name.value.trim()) throw new Error('Name is required.');
      const body = { name: name.value.trim(), type: type.value, annotation: annotation.value.trim() || 'objects' };
      if (url.value.trim()) body.url = url.value.trim();
      if (group.value) body.group = group.value;
      const answer = await api.post(`/${enc(ctx.ws)}/projects`, body);
      return answer; // the bare project
    },
  });
  if (created) {
    toast(`Created project “${created.name}”`, { kind: 'success' });
    ctx.navigate(`/app/${enc(ctx.ws)}/${enc(created.url)}`);
  }
}

async function newFolder(ctx) {
  const name = await promptDialog({ title: 'New folder', label: 'Folder name', submitLabel: 'Create folder', name: 'new-folder' });
  if (!name) return;
  try {
    await api.post(`/${enc(ctx.ws)}/groups`, { name });
    toast(`Created folder “${name}”`, { kind: 'success' });
    ctx.refresh();
  } catch (err) {
    ctx.main.prepend(alertBox(err));
  }
}
