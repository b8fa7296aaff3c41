// Settings → Trash: every deleted project, version, training and workflow of the workspace, with restore,
// permanent deletion (the only place it exists) and Empty Trash.
import { h, clear, plural, timeEl, formatBytes, debounce, uid } from './dom.js';
import { api, enc, describeError } from './api.js';
import { pageHeader, button, showDialog, toast, errorToast, alertBox, field, attachTooltip } from './ui.js';
import { withReauth } from './reauth.js';

const TYPES = [
  { type: 'project', section: 'projects', title: 'Projects', noun: 'project', restore: 'restore_dataset', trash: 'trash_dataset' },
  { type: 'version', section: 'versions', title: 'Versions', noun: 'version', restore: 'restore_version', trash: 'trash_version' },
  { type: 'training', section: 'trainings', title: 'Trainings', noun: 'training', restore: 'restore_training', trash: 'trash_training' },
  { type: 'workflow', section: 'workflows', title: 'Workflows', noun: 'workflow', restore: 'restore_workflow', trash: 'trash_workflow' },
];
const TYPE = Object.fromEntries(TYPES.map((t) => [t.type, t]));
const PAGE_SIZE = 50;
const AMBER_TIP = 'Images will also be deleted from the Asset Library when this project is cleaned up. Images that other projects use are always kept.';

const keyOf = (item) => `${item.type}|${item.type === 'version' ? item.parentId || '' : ''}|${item.id}`;
/** What a row's buttons and checkbox name: unique per row ("training j_… of Cats v1", "v1 of Cats"). */
const labelOf = (item) => {
  if (item.type === 'training') {
    const v = item.version ?? (item.location && item.location.version && item.location.version.number);
    return `training ${item.trainingId || item.id} of ${item.parentName || item.parentUrl || 'its project'} v${v}`;
  }
  if (item.type === 'version') return `${item.name} of ${item.parentName || item.parentUrl || 'its project'}`;
  return item.name;
};
const refOf = (item) => {
  const ref = { type: item.type, id: String(item.id) };
  if (item.type === 'version' && item.parentId) ref.parentId = item.parentId;
  return ref;
};

export async function renderTrash(ctx) {
  const { ws, main, signal } = ctx;
  if (!ctx.can('view_trash')) {
    main.append(pageHeader('Trash', null), alertBox('Your role does not allow viewing the Trash (permission view_trash).', 'info'));
    return;
  }
  const perms = {
    restore: (type) => ctx.can(TYPE[type].restore),
    remove: (type) => ctx.can('view_trash', TYPE[type].trash),
  };
  const anyRestore = TYPES.some((t) => perms.restore(t.type));
  const anyRemove = TYPES.some((t) => perms.remove(t.type));
  const canEmpty = ctx.can('view_trash', ...TYPES.map((t) => t.trash));

  const workspace = await api.get(`/${enc(ws)}`, { signal }).then((a) => a.workspace || a).catch(() => ({}));
  const retention = workspace.retentionDays || 30;
  const state = { q: '', sort: 'deletedAt', type: '', items: [], nextCursor: null, counts: null, selected: new Map(), usage: null, loading: false };

  const summary = h('div', { class: 'trash-summary', 'aria-live': 'polite' });
  const results = h('div', { class: 'batch-results', 'aria-live': 'polite' });
  const list = h('div', { class: 'trash-sections' });
  const more = h('div', { class: 'load-more' });
  const selectionInfo = h('span', { class: 'selection-info muted', 'aria-live': 'polite' });

  const search = h('input', { type: 'search', class: 'input', placeholder: 'Search by name', autocomplete: 'off', name: 'q' });
  const sort = h('select', { class: 'select', name: 'sort' },
    h('option', { value: 'deletedAt' }, 'Recently deleted'),
    h('option', { value: 'scheduledCleanupAt' }, 'Cleanup date (soonest first)'),
    h('option', { value: 'name' }, 'Name'));
  const typeFilter = h('select', { class: 'select', name: 'type' },
    h('option', { value: '' }, 'Everything'),
    TYPES.map((t) => h('option', { value: t.type }, t.title)));
  typeFilter.addEventListener('change', () => {
    state.type = typeFilter.value;
    reload();
  });
  search.addEventListener('input', debounce(() => {
    state.q = search.value.trim();
    reload();
  }, 250));
  sort.addEventListener('change', () => {
    state.sort = sort.value;
    reload();
  });

  const restoreSelected = anyRestore ? button('Restore', () => restoreItems([...state.selected.values()]), { 'data-action': 'restore-selected', disabled: true }) : null;
  const deleteSelected = anyRemove ? button('Delete Permanently', () => deleteItems([...state.selected.values()]), { variant: 'danger-outline', 'data-action': 'delete-selected', disabled: true }) : null;
  const restoreAll = anyRestore ? button('Restore All', () => restoreEverything(), { 'data-action': 'restore-all' }) : null;
  const emptyTrash = canEmpty ? button('Empty Trash', () => empty(), { variant: 'danger', 'data-action': 'empty-trash' }) : null;

  const retentionButton = ctx.can('manage_workspace')
    ? button('Change retention', () => changeRetention(ctx, retention), { variant: 'ghost', 'data-action': 'retention' }) : null;
  main.append(
    pageHeader('Trash', `Deleted projects, versions, trainings and workflows stay here for ${plural(retention, 'day')}, then they are removed permanently. Permanent deletion is possible only on this page.`,
      retentionButton, restoreAll, emptyTrash),
    summary,
    h('div', { class: 'trash-toolbar card', role: 'group', 'aria-label': 'Trash tools' },
      h('div', { class: 'toolbar-filters' },
        field('Search the Trash', search),
        field('Show', typeFilter),
        field('Sort by', sort)),
      (restoreSelected || deleteSelected) ? h('div', { class: 'toolbar-selection' }, selectionInfo, restoreSelected, deleteSelected) : null),
    results,
    list,
    more);

  function updateSelection() {
    const n = state.selected.size;
    selectionInfo.textContent = n ? `${plural(n, 'item')} selected` : 'Select items to act on several at once';
    if (restoreSelected) restoreSelected.disabled = n === 0;
    if (deleteSelected) deleteSelected.disabled = n === 0;
    for (const t of TYPES) {
      const all = list.querySelector(`[data-select-all="${t.type}"]`);
      if (!all) continue;
      const rows = state.items.filter((i) => i.type === t.type);
      const chosen = rows.filter((i) => state.selected.has(keyOf(i))).length;
      all.checked = rows.length > 0 && chosen === rows.length;
      all.indeterminate = chosen > 0 && chosen < rows.length;
    }
  }

  async function loadUsage() {
    try {
      state.usage = await api.get(`/${enc(ws)}/usage`, { signal });
    } catch {
      state.usage = null;
    }
    renderSummary();
  }

  function renderSummary() {
    clear(summary);
    const u = state.usage;
    const total = state.counts ? Number(state.counts.total ?? TYPES.reduce((n, t) => n + (Number(state.counts[t.section]) || 0), 0)) : null;
    const trashItems = u && u.trashItems !== undefined ? Number(u.trashItems) : total;
    const isEmpty = trashItems === 0 && (total === null || total === 0);
    if (restoreAll) restoreAll.disabled = isEmpty;
    if (emptyTrash) emptyTrash.disabled = isEmpty;
    summary.append(h('div', { class: 'card summary-card' },
      h('div', { class: 'summary-stat' }, h('span', { class: 'summary-value', 'data-trash-count': true }, String(trashItems ?? '—')), h('span', { class: 'muted small' }, 'items in the Trash')),
      u && u.trashBytes !== undefined ? h('div', { class: 'summary-stat' }, h('span', { class: 'summary-value' }, formatBytes(u.trashBytes)), h('span', { class: 'muted small' }, 'storage held by the Trash')) : null,
      u ? h('div', { class: 'summary-stat' }, h('span', { class: 'summary-value', 'data-reclaimable': true }, formatBytes(u.reclaimableBytes)),
        h('span', { class: 'muted small' }, 'Empty Trash will free')) : null,
      u && u.storageQuotaBytes ? h('div', { class: 'summary-stat' }, h('span', { class: 'summary-value' }, `${formatBytes(u.storageBytes)}`),
        h('span', { class: 'muted small' }, `used of ${formatBytes(u.storageQuotaBytes)}`)) : null));
  }

  async function fetchPage(cursor) {
    const query = { q: state.q, sort: state.sort, type: state.type || undefined, limit: PAGE_SIZE, cursor };
    const answer = await api.get(`/${enc(ws)}/trash`, { query, signal });
    let items = answer.items;
    if (!Array.isArray(items)) {
      const s = answer.sections || {};
      items = TYPES.flatMap((t) => s[t.section] || []);
    }
    return { items, counts: answer.counts || null, nextCursor: answer.nextCursor || null };
  }

  async function reload() {
    const token = {};
    state.token = token;
    let page;
    try {
      page = await fetchPage(null);
    } catch (err) {
      if (signal.aborted) return;
      clear(list);
      list.append(alertBox(err));
      return;
    }
    if (state.token !== token || signal.aborted) return;
    state.items = page.items;
    state.counts = page.counts;
    state.nextCursor = page.nextCursor;
    const present = new Set(state.items.map(keyOf));
    for (const k of [...state.selected.keys()]) if (!present.has(k)) state.selected.delete(k);
    renderList();
    renderSummary();
  }

  async function loadMore(btn) {
    btn.disabled = true;
    const token = state.token;
    try {
      const page = await fetchPage(state.nextCursor);
      // A new search or sort started meanwhile: its first page replaces the list, this one is stale.
      if (state.token !== token || signal.aborted) return;
      const seen = new Set(state.items.map(keyOf));
      state.items.push(...page.items.filter((i) => !seen.has(keyOf(i))));
      state.nextCursor = page.nextCursor;
      renderList();
    } catch (err) {
      btn.disabled = false;
      errorToast(err);
    }
  }

  function renderList() {
    clear(list);
    clear(more);
    for (const t of TYPES) if (!state.type || state.type === t.type) list.append(renderSection(t));
    if (state.nextCursor) more.append(button('Load more', (e) => loadMore(e.currentTarget), { 'data-action': 'load-more' }));
    updateSelection();
  }

  function renderSection(t) {
    const rows = state.items.filter((i) => i.type === t.type);
    const titleId = uid('trash-sec');
    // counts are the whole Trash; while searching, show what matched so far instead.
    const total = !state.q && state.counts && state.counts[t.section] !== undefined
      ? String(state.counts[t.section])
      : `${rows.length}${state.nextCursor ? '+' : ''}`;
    const selectable = perms.restore(t.type) || perms.remove(t.type);
    const section = h('section', { class: 'card trash-section', 'aria-labelledby': titleId, 'data-section': t.section },
      h('h2', { id: titleId, class: 'card-title' }, t.title, ' ', h('span', { class: 'count' }, total)));
    if (rows.length === 0) {
      section.append(h('p', { class: 'muted empty-section' }, state.q ? `No ${t.noun}s match “${state.q}”.` : `No ${t.noun}s in the Trash.`));
      return section;
    }
    const allBox = selectable ? h('input', {
      type: 'checkbox', 'aria-label': `Select all ${t.noun}s`, 'data-select-all': t.type,
      onchange: (e) => {
        for (const item of rows) {
          if (e.target.checked) state.selected.set(keyOf(item), item);
          else state.selected.delete(keyOf(item));
        }
        for (const box of section.querySelectorAll('input[data-select-row]')) box.checked = e.target.checked;
        updateSelection();
      },
    }) : null;
    section.append(h('div', { class: 'table-scroll' }, h('table', { class: 'table trash-table' },
      h('thead', {}, h('tr', {},
        selectable ? h('th', { scope: 'col', class: 'cell-check' }, allBox) : null,
        h('th', { scope: 'col', class: 'col-name' }, 'Name'),
        h('th', { scope: 'col', class: 'col-by' }, 'Deleted by'),
        h('th', { scope: 'col', class: 'col-when' }, 'Deleted'),
        h('th', { scope: 'col', class: 'col-days' }, 'Days remaining'),
        h('th', { scope: 'col', class: 'cell-actions col-actions' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      h('tbody', {}, rows.map((item) => renderRow(item, selectable))))));
    return section;
  }

  function renderRow(item, selectable) {
    const days = Math.max(0, Number(item.daysRemaining) || 0);
    const soon = days <= 3;
    const child = item.type === 'version' || item.type === 'training';
    const blockedByParent = child && (item.parentInTrash || item.blockedReason === 'parent_in_trash');
    const parentName = item.parentName || item.parentUrl || '';
    const versionNumber = item.version ?? (item.location && item.location.version && item.location.version.number);
    const reasonId = uid('reason');
    const notes = [];
    if (item.type === 'version') {
      notes.push(h('span', { class: 'muted small' }, 'in project ', parentName));
    } else if (item.type === 'training') {
      notes.push(h('span', { class: 'muted small', 'data-location': true }, 'in project ', parentName));
    } else if (item.url) {
      notes.push(h('span', { class: 'muted small' }, `/${item.url}`));
    }
    if (item.type === 'project' && item.location && item.location.group && item.location.group.name) {
      notes.push(h('span', { class: 'muted small' }, ` · folder ${item.location.group.name}`));
    }
    if (item.type === 'training') {
      notes.push(h('span', { class: 'muted small', 'data-size': true }, ` · model files ${formatBytes(item.sizeBytes)}`));
    } else if (item.sizeBytes) {
      notes.push(h('span', { class: 'muted small' }, ` · ${formatBytes(item.sizeBytes)}`));
    }
    if (blockedByParent) {
      notes.push(h('span', { class: 'blocked-reason', id: reasonId, 'data-blocked-reason': 'parent_in_trash' }, parentReason(item, parentName, versionNumber)));
    } else if (item.blockedReason === 'restore_conflict') {
      notes.push(h('span', { class: 'blocked-reason', id: reasonId, 'data-blocked-reason': 'restore_conflict' },
        `An active ${item.type} now uses the URL “${item.url}”: restoring asks for a new one.`));
    }
    const box = selectable ? h('input', {
      type: 'checkbox', 'aria-label': `Select ${labelOf(item)}`, 'data-select-row': keyOf(item), checked: state.selected.has(keyOf(item)),
      onchange: (e) => {
        if (e.target.checked) state.selected.set(keyOf(item), item);
        else state.selected.delete(keyOf(item));
        updateSelection();
      },
    }) : null;
    const actions = [];
    if (perms.restore(item.type)) {
      actions.push(button('Restore', () => restoreOne(item), {
        small: true, disabled: blockedByParent, 'data-action': 'restore',
        'aria-label': `Restore ${labelOf(item)}`, 'aria-describedby': blockedByParent ? reasonId : null,
        title: blockedByParent ? (item.type === 'training' ? 'Restore its project or version first' : 'Restore the project first') : null,
      }));
    }
    if (perms.remove(item.type)) {
      actions.push(button('Delete Permanently', () => deleteItems([item]), {
        small: true, variant: 'ghost-danger', 'data-action': 'delete', 'aria-label': `Delete Permanently ${labelOf(item)}`,
      }));
    }
    return h('tr', {
      class: `trash-row${soon ? ' expiring' : ''}${blockedByParent ? ' blocked' : ''}`,
      'data-item': keyOf(item), 'data-type': item.type, 'data-name': item.name, 'data-days': String(days),
    },
    selectable ? h('td', { class: 'cell-check' }, box) : null,
    h('th', { scope: 'row', class: 'cell-name' },
      h('div', { class: 'name-line' },
        h('span', { class: 'item-name' }, item.name),
        item.type === 'project' && item.cleanupDeleteImages ? attachTooltip(h('span', {
          class: 'amber', tabindex: '0', role: 'img', 'aria-label': AMBER_TIP, 'data-amber': true,
        }, h('span', { class: 'amber-dot', 'aria-hidden': 'true' }), h('span', { class: 'amber-text', 'aria-hidden': 'true' }, 'Images too')), AMBER_TIP) : null),
      h('div', { class: 'name-notes' }, notes)),
    h('td', { 'data-label': 'Deleted by' }, item.deletedByName || item.deletedBy || 'Unknown'),
    h('td', { 'data-label': 'Deleted' }, timeEl(item.deletedAt)),
    h('td', { class: 'cell-days', 'data-label': 'Days remaining' },
      h('span', { class: 'days', title: item.scheduledCleanupAt ? `Cleanup on ${new Date(item.scheduledCleanupAt).toLocaleString()}` : null },
        days === 0 ? 'Less than a day' : plural(days, 'day')),
      soon ? h('span', { class: 'badge badge-warn' }, 'Expires soon') : null),
    h('td', { class: 'cell-actions' }, h('div', { class: 'row-actions' }, actions)));
  }

  /** Why a version's or training's Restore is disabled: the parent that is in the Trash, when the page knows it. */
  function parentReason(item, parentName, versionNumber) {
    if (item.type === 'version') return `Its project “${parentName}” is in the Trash: restore the project first.`;
    const projectTrashed = state.items.some((i) => i.type === 'project' && i.id === item.parentId);
    const versionTrashed = state.items.some((i) => i.type === 'version' && i.parentId === item.parentId && String(i.id) === String(versionNumber));
    if (projectTrashed) return `Its project “${parentName}” is in the Trash: restore the project first.`;
    if (versionTrashed) return `Its version v${versionNumber} of “${parentName}” is in the Trash: restore the version first.`;
    return `Its project “${parentName}” or its version v${versionNumber} is in the Trash: restore that first.`;
  }

  async function afterChange() {
    await Promise.all([reload(), loadUsage()]);
  }

  function nameOf(ref) {
    const found = state.items.find((i) => i.type === ref.type && String(i.id) === String(ref.id)
      && (ref.type !== 'version' || !ref.parentId || i.parentId === ref.parentId));
    if (found) return found.type === 'project' || found.type === 'workflow' ? found.name : labelOf(found);
    return `${ref.type} ${ref.id}`;
  }

  function itemOf(ref) {
    return state.items.find((i) => i.type === ref.type && String(i.id) === String(ref.id)
      && (ref.type !== 'version' || !ref.parentId || i.parentId === ref.parentId)) || { ...ref, name: nameOf(ref) };
  }

  /** Shows the outcome of a batch: what succeeded, and each failure with its reason. */
  function showResults(verb, done, failed) {
    clear(results);
    const doneList = done || [];
    const failedList = failed || [];
    const heading = failedList.length
      ? `${verb} ${plural(doneList.length, 'item')}; ${failedList.length} could not be ${verb.toLowerCase()}.`
      : `${verb} ${plural(doneList.length, 'item')}.`;
    const panel = h('div', { class: `card results-card ${failedList.length ? 'has-failures' : ''}`, role: 'status', 'data-results': verb.toLowerCase() },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, heading),
        button('Dismiss', () => clear(results), { small: true, variant: 'ghost' })),
      doneList.length ? h('ul', { class: 'results-list' }, doneList.map((r) => h('li', { class: 'result-ok', 'data-result': 'ok' },
        h('span', { class: 'result-mark', 'aria-hidden': 'true' }, '✓'), `${r.name || nameOf(r)}`))) : null,
      failedList.length ? h('ul', { class: 'results-list' }, failedList.map((f) => {
        const err = f.error || {};
        const conflict = err.code === 'restore_conflict';
        return h('li', { class: 'result-failed', 'data-result': err.code || 'failed' },
          h('span', { class: 'result-mark', 'aria-hidden': 'true' }, '✕'),
          h('span', {}, `${f.name || nameOf(f)}: ${describeError(err)}`),
          conflict ? button('Choose a new URL…', () => restoreOne(itemOf(f)), { small: true }) : null);
      })) : null);
    results.append(panel);
  }

  // One restore at a time: a double click, or a second button pressed before the first answer,
  // would otherwise ask again for what the first request already restored and answer "not in the
  // Trash" or "Restored 0 items" over the true result.
  let restoring = false;
  const oneAtATime = (fn) => async (...args) => {
    if (restoring) return;
    restoring = true;
    list.setAttribute('aria-busy', 'true');
    try {
      await fn(...args);
    } finally {
      restoring = false;
      list.removeAttribute('aria-busy');
    }
  };

  const restoreOne = oneAtATime(async (item) => {
    const ref = refOf(item);
    try {
      await api.post(`/${enc(ws)}/trash/restore`, ref);
      toast(`Restored “${item.name}”`, { kind: 'success' });
      await afterChange();
    } catch (err) {
      if (err.code === 'restore_conflict') {
        const renamed = await askNewUrl(item, ref);
        if (renamed) {
          toast(`Restored “${item.name}” as ${renamed}`, { kind: 'success' });
          await afterChange();
        }
        return;
      }
      errorToast(err);
      await afterChange();
    }
  });

  function askNewUrl(item, ref) {
    const input = h('input', { class: 'input', value: `${item.url || 'item'}-restored`, autocomplete: 'off', spellcheck: 'false', name: 'url' });
    return showDialog({
      name: 'restore-conflict',
      title: `Restore “${item.name}” under a new URL`,
      description: `An active ${item.type} already uses the URL “${item.url}”. Nothing is overwritten: choose a new URL for the restored ${item.type}.`,
      content: [field('New URL', input, 'Lowercase letters, digits and dashes.')],
      submitLabel: 'Restore',
      onSubmit: async () => {
        const url = input.value.trim();
        if (!url) throw new Error('Enter a URL.');
        await api.post(`/${enc(ws)}/trash/restore`, { ...ref, url });
        return url;
      },
    });
  }

  const restoreItems = oneAtATime(async (items) => {
    if (!items.length) return;
    try {
      const answer = await api.post(`/${enc(ws)}/trash/restore`, { items: items.map(refOf) });
      state.selected.clear();
      showResults('Restored', answer.restored, answer.failed);
    } catch (err) {
      errorToast(err);
    }
    await afterChange();
  });

  const restoreEverything = oneAtATime(async () => {
    try {
      const answer = await api.post(`/${enc(ws)}/trash/restore-all`, {});
      state.selected.clear();
      showResults('Restored', answer.restored, answer.failed);
    } catch (err) {
      errorToast(err);
    }
    await afterChange();
  });

  async function deleteItems(items) {
    if (!items.length) return;
    const withImages = items.filter((i) => i.type === 'project' && i.cleanupDeleteImages);
    const single = items.length === 1;
    const answer = await showDialog({
      name: 'delete-permanently',
      title: single ? `Delete “${items[0].name}” permanently?` : `Delete ${plural(items.length, 'item')} permanently?`,
      description: h('div', {},
        h('p', {}, 'This cannot be undone. ', single ? 'It' : 'They', ' will be removed at once instead of after the retention period.'),
        withImages.length ? h('p', { class: 'amber-note' }, h('span', { class: 'amber-dot', 'aria-hidden': 'true' }),
          `${withImages.length === 1 ? 'This project was' : `${withImages.length} projects were`} deleted with “Also delete images from Asset Library”: images used by no other project are removed too.`) : null,
        single ? null : h('ul', { class: 'confirm-list' }, items.slice(0, 8).map((i) => h('li', {}, `${i.name} (${i.type})`)),
          items.length > 8 ? h('li', {}, `and ${items.length - 8} more`) : null)),
      submitLabel: 'Delete Permanently',
      danger: true,
      // Sudo mode: past the server's window it asks for the password, then deletes.
      onSubmit: () => withReauth(() => api.post(`/app/api/${enc(ws)}/trash/delete`, { items: items.map(refOf) })),
    });
    if (!answer) return;
    for (const i of items) state.selected.delete(keyOf(i));
    const failed = answer.failed || [];
    if (single && failed.length === 0) {
      toast(`Deleted “${items[0].name}” permanently`, { kind: 'success' });
      clear(results);
    } else {
      showResults('Deleted', (answer.deleted || []).map((d) => ({ ...d, name: nameOf(d) })), failed.map((f) => ({ ...f, name: nameOf(f) })));
    }
    await afterChange();
  }

  async function empty() {
    await loadUsage();
    const u = state.usage || {};
    const count = u.trashItems !== undefined ? Number(u.trashItems) : null;
    const answer = await showDialog({
      name: 'empty-trash',
      title: 'Empty the Trash?',
      description: h('div', {},
        h('p', {}, `Everything in the Trash${count !== null ? ` (${plural(count, 'item')})` : ''} is deleted permanently. This cannot be undone.`),
        u.reclaimableBytes !== undefined ? h('p', {}, 'This frees ', h('strong', { 'data-reclaim-preview': true }, formatBytes(u.reclaimableBytes)), ' of storage.') : null),
      confirmText: ws,
      confirmLabel: 'To confirm, type the workspace URL',
      submitLabel: 'Empty Trash',
      danger: true,
      onSubmit: () => withReauth(() => api.post(`/app/api/${enc(ws)}/trash/empty`, { confirm: ws })),
    });
    if (!answer) return;
    state.selected.clear();
    const failed = answer.failed || [];
    if (failed.length) showResults('Deleted', (answer.deleted || []).map((d) => ({ ...d, name: nameOf(d) })), failed.map((f) => ({ ...f, name: nameOf(f) })));
    else {
      clear(results);
      toast(`Emptied the Trash: ${plural((answer.deleted || []).length, 'item')} deleted permanently`, { kind: 'success' });
    }
    await afterChange();
  }

  await afterChange();
}

async function changeRetention(ctx, current) {
  const input = h('input', { class: 'input', type: 'number', min: 1, max: 365, step: 1, value: String(current), name: 'retentionDays' });
  const saved = await showDialog({
    name: 'retention',
    title: 'Trash retention',
    description: 'How many days deleted items stay restorable before they are removed automatically. Items already in the Trash keep the cleanup date they were given.',
    content: [field('Days (1–365)', input)],
    submitLabel: 'Save',
    onSubmit: async () => {
      const days = Number(input.value);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error('Enter a whole number of days from 1 to 365.');
      await api.patch(`/${enc(ctx.ws)}`, { retentionDays: days });
      return days;
    },
  });
  if (saved) {
    toast(`Deleted items now stay ${plural(saved, 'day')} in the Trash`, { kind: 'success' });
    ctx.refresh();
  }
}
