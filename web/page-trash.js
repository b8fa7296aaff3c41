// Settings → Trash: every deleted project, version, training and workflow of the workspace, with restore,
// permanent deletion (the only place it exists) and Empty Trash.
import { h, append, svg, icon, clear, plural, formatBytes, relativeTime, relativeTimeEl, debounce, uid } from './dom.js';
import { api, enc, describeError } from './api.js';
import { pageHeader, button, showDialog, toast, errorToast, alertBox, field, attachTooltip } from './ui.js';
import { menuButton, closeMenus } from './menu.js';
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
const VIEW_ONLY = 'You can view the Trash but not restore or delete items. Ask an owner.';
const SIZES_OVERLAP = 'An item’s size counts every file it uses, and items can share files (two versions of one project share its images), so item sizes may add up to more than the Trash holds. “Held only by the Trash” counts each stored file once; “Empty Trash frees now” leaves out images that active projects still use and images of projects deleted without “Also delete images”.';
const DAY_MS = 86400000;
const PHONE = '(max-width: 640px)';

const keyOf = (item) => `${item.type}|${item.type === 'version' ? item.parentId || '' : ''}|${item.id}`;
/** What a row's buttons and checkbox name, with its type and context: unique per row
 * ("project Drones", "version v1 of Drones", "training j_… of Drones v1", "workflow Counter"). */
const labelOf = (item) => {
  if (item.type === 'training') {
    const v = item.version ?? (item.location && item.location.version && item.location.version.number);
    return `training ${item.trainingId || item.id} of ${item.parentName || item.parentUrl || 'its project'} v${v}`;
  }
  if (item.type === 'version') return `version ${item.name} of ${item.parentName || item.parentUrl || 'its project'}`;
  return `${item.type} ${item.name}`;
};
/** The UTC date an item is removed on, as the timeline counts it (overdue items count today). */
const cleanupDay = (item, today) => {
  const d = String(item.scheduledCleanupAt || '').slice(0, 10);
  return today && d < today ? today : d;
};
const dayText = (date) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
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
  const state = {
    q: '', sort: 'deletedAt', type: '', day: '', items: [], nextCursor: null, counts: null, selected: new Map(),
    usage: null, timeline: null, clockOffset: 0, lastResults: null,
  };
  // Relative times count from the server's clock (the timeline answer carries it), not the browser's.
  const serverNow = () => Date.now() + state.clockOffset;
  const today = () => (state.timeline && state.timeline.days.length ? state.timeline.days[0].date : new Date(serverNow()).toISOString().slice(0, 10));

  const summaryLine = h('span', { class: 'summary-line' });
  const summaryBody = h('div', { class: 'summary-body' });
  const summary = h('details', { class: 'card trash-summary', 'data-summary': true },
    h('summary', { class: 'summary-toggle' }, summaryLine), summaryBody);
  // Open on wide screens; on a phone the list comes first and the summary waits behind its toggle.
  summary.open = !window.matchMedia(PHONE).matches;
  const results = h('div', { class: 'batch-results', 'aria-live': 'polite' });
  const dayFilter = h('div', { class: 'day-filter', hidden: true });
  const list = h('div', { class: 'trash-sections' });
  const more = h('div', { class: 'load-more' });
  const selectionInfo = h('span', { class: 'selection-info', 'aria-live': 'polite' });

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

  const restoreSelected = anyRestore ? button('Restore', () => restoreItems([...state.selected.values()]), { 'data-action': 'restore-selected', variant: 'primary', small: true }) : null;
  const deleteSelected = anyRemove ? button('Delete permanently', () => deleteItems([...state.selected.values()]), { variant: 'danger-outline', small: true, 'data-action': 'delete-selected' }) : null;
  const clearSelection = button('Clear selection', () => {
    state.selected.clear();
    for (const box of list.querySelectorAll('input[data-select-row]')) box.checked = false;
    updateSelection();
  }, { variant: 'ghost', small: true, 'data-action': 'clear-selection' });
  const selectionBar = h('div', { class: 'selection-bar', role: 'region', 'aria-label': 'Selected items', hidden: true, 'data-selection-bar': true },
    selectionInfo, h('div', { class: 'selection-actions' }, restoreSelected, deleteSelected, clearSelection));
  const restoreAll = anyRestore ? button('Restore All', () => restoreEverything(), { 'data-action': 'restore-all', small: true }) : null;
  const emptyTrash = canEmpty ? button('Empty Trash', () => empty(), { variant: 'danger-outline', small: true, 'data-action': 'empty-trash' }) : null;
  const retentionButton = ctx.can('manage_workspace')
    ? button('Change retention', () => changeRetention(ctx, retention), { variant: 'ghost', small: true, 'data-action': 'retention' }) : null;

  append(main, [
    pageHeader('Trash', `Deleted items stay here for ${plural(retention, 'day')}, then they are removed for good. Only this page deletes permanently.`,
      restoreAll, emptyTrash),
    !anyRestore && !anyRemove ? h('p', { class: 'alert alert-info view-only', role: 'note', 'data-view-only': true }, icon('info'), h('span', {}, VIEW_ONLY)) : null,
    summary,
    h('div', { class: 'trash-toolbar', role: 'group', 'aria-label': 'Search and filter the Trash' },
      h('div', { class: 'toolbar-filters' },
        field('Search the Trash', search),
        field('Show', typeFilter),
        field('Sort by', sort))),
    (restoreSelected || deleteSelected) ? selectionBar : null,
    results,
    dayFilter,
    list,
    more]);
  // The sticky selection bar sits just under the sticky top bar, whatever its height.
  const topbar = document.querySelector('.topbar');
  if (topbar) document.documentElement.style.setProperty('--topbar-h', `${topbar.offsetHeight}px`);

  function updateSelection() {
    const n = state.selected.size;
    selectionInfo.textContent = n ? `${plural(n, 'item')} selected` : '';
    selectionBar.hidden = n === 0;
    if (restoreSelected) restoreSelected.disabled = n === 0;
    if (deleteSelected) deleteSelected.disabled = n === 0;
    for (const t of TYPES) {
      const all = list.querySelector(`[data-select-all="${t.type}"]`);
      if (!all) continue;
      const rows = visibleRows(t.type);
      const chosen = rows.filter((i) => state.selected.has(keyOf(i))).length;
      all.checked = rows.length > 0 && chosen === rows.length;
      all.indeterminate = chosen > 0 && chosen < rows.length;
    }
  }

  async function loadUsage() {
    const [usage, timeline] = await Promise.all([
      api.get(`/${enc(ws)}/usage`, { signal }).catch(() => null),
      api.get(`/${enc(ws)}/trash/timeline`, { signal }).catch(() => null),
    ]);
    state.usage = usage;
    if (timeline && Array.isArray(timeline.days)) {
      state.timeline = timeline;
      const now = new Date(timeline.now).getTime();
      if (!Number.isNaN(now)) state.clockOffset = now - Date.now();
    }
    renderSummary();
  }

  function renderSummary() {
    clear(summaryLine);
    clear(summaryBody);
    const u = state.usage;
    const total = state.counts ? Number(state.counts.total ?? TYPES.reduce((n, t) => n + (Number(state.counts[t.section]) || 0), 0)) : null;
    const trashItems = u && u.trashItems !== undefined ? Number(u.trashItems) : total;
    const isEmpty = trashItems === 0 && (total === null || total === 0);
    if (restoreAll) restoreAll.disabled = isEmpty;
    if (emptyTrash) emptyTrash.disabled = isEmpty;
    const reclaim = u && u.reclaimableBytes !== undefined ? Number(u.reclaimableBytes) : null;
    summaryLine.append(h('span', { 'data-trash-count': true }, trashItems === null ? '—' : plural(trashItems, 'item')), ' in the Trash',
      reclaim !== null ? h('span', { class: 'summary-sep' }, ` · Empty Trash frees now: ${formatBytes(reclaim)}`) : null);

    // The storage model (docs/TRASH.md): held only by the Trash, and what Empty Trash frees now.
    const helpId = uid('sizes-help');
    const help = h('p', { id: helpId, class: 'summary-help muted small', hidden: true }, SIZES_OVERLAP);
    const helpButton = h('button', {
      type: 'button', class: 'help-button', 'aria-expanded': 'false', 'aria-controls': helpId, 'aria-label': 'About these figures',
      onclick: () => {
        help.hidden = !help.hidden;
        helpButton.setAttribute('aria-expanded', String(!help.hidden));
      },
    }, '?');
    const figures = [];
    if (u && u.trashOnlyBytes !== undefined) {
      figures.push(h('span', { 'data-trash-only': true }, `Held only by the Trash: ${formatBytes(u.trashOnlyBytes)}`));
    } else if (u && u.trashBytes !== undefined) {
      figures.push(h('span', { 'data-trash-bytes': true }, `Items’ sizes: ${formatBytes(u.trashBytes)}`));
    }
    if (reclaim !== null) figures.push(h('span', { 'data-reclaimable': true }, `Empty Trash frees now: ${formatBytes(reclaim)}`));
    if (u && u.reclaimableStale) figures.push(h('span', { class: 'muted' }, '(being recounted)'));
    summaryBody.append(
      u ? h('p', { class: 'summary-figures' }, h('span', { class: 'figure-list' }, figures), helpButton) : null,
      help,
      u && u.storageBytes !== undefined ? h('p', { class: 'muted small summary-storage' },
        u.activeBytes !== undefined ? `Active ${formatBytes(u.activeBytes)} · ` : '',
        u.storageQuotaBytes ? `Workspace storage ${formatBytes(u.storageBytes)} of ${formatBytes(u.storageQuotaBytes)}` : `Workspace storage ${formatBytes(u.storageBytes)}`) : null,
      state.timeline ? renderTimeline(state.timeline) : null,
      retentionButton ? h('p', { class: 'summary-retention muted small' }, `Items stay ${plural(retention, 'day')} in the Trash. `, retentionButton) : null);
  }

  /** The cleanup timeline: what is removed for good on each of the next 30 days, one bar a day. */
  function renderTimeline(t) {
    const days = t.days;
    const max = Math.max(1, ...days.map((d) => Number(d.items) || 0));
    const width = 600;
    const height = 72;
    const slot = width / days.length;
    const busy = days.filter((d) => d.items > 0);
    const totalItems = busy.reduce((n, d) => n + d.items, 0);
    const totalBytes = busy.reduce((n, d) => n + d.bytes, 0);
    const describe = (d) => `${plural(d.items, 'item')}, ${formatBytes(d.bytes)} on ${dayText(d.date)}`;
    const descId = uid('timeline-desc');
    const bars = days.map((d, i) => {
      const x = i * slot + 1.5;
      const w = Math.max(2, slot - 3);
      if (!d.items) return svg('rect', { class: 'bar-empty', x, y: height - 2, width: w, height: 2, rx: 1 });
      const barHeight = Math.max(4, (d.items / max) * (height - 6));
      const soon = i <= 3; // up to 3 days away, as the rows' "Expires soon"
      const g = svg('g', {
        class: `bar${soon ? ' bar-soon' : ''}${state.day === d.date ? ' bar-active' : ''}`, tabindex: '0', role: 'button',
        'aria-label': describe(d), 'aria-pressed': state.day === d.date ? 'true' : 'false',
        'data-day': d.date, 'data-items': String(d.items), 'data-bytes': String(d.bytes),
      },
      svg('rect', { class: 'bar-hit', x: i * slot, y: 0, width: slot, height }),
      svg('rect', { class: 'bar-fill', x, y: height - barHeight, width: w, height: barHeight, rx: 2 }),
      svg('title', {}, describe(d)));
      const pick = () => filterDay(state.day === d.date ? '' : d.date);
      g.addEventListener('click', pick);
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          pick();
        }
      });
      return g;
    });
    const chart = svg('svg', {
      class: 'timeline-chart', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'group',
      'aria-label': 'Cleanup timeline, next 30 days', 'aria-describedby': descId,
    }, bars);
    const last = days[days.length - 1];
    return h('section', { class: 'timeline', 'aria-labelledby': `${descId}-title`, 'data-timeline': true },
      h('h2', { class: 'timeline-title', id: `${descId}-title` }, 'Removed for good in the next 30 days'),
      h('p', { class: 'small timeline-total', 'data-timeline-total': true },
        totalItems ? `${plural(totalItems, 'item')}, ${formatBytes(totalBytes)} of item sizes${busy.length ? '. Select a bar to list that day.' : ''}` : 'Nothing is removed in the next 30 days.'),
      chart,
      h('div', { class: 'timeline-axis muted small', 'aria-hidden': 'true' },
        h('span', {}, 'Today'), h('span', {}, dayText(days[Math.floor(days.length / 2)].date)), h('span', {}, dayText(last.date))),
      h('p', { id: descId, class: 'visually-hidden' },
        busy.length ? busy.map(describe).join('; ') : 'Nothing is removed in the next 30 days.'));
  }

  function filterDay(date) {
    state.day = date;
    renderSummary();
    // The soonest first, so the chosen day's items are on the first pages.
    if (date && state.sort !== 'scheduledCleanupAt') {
      state.sort = 'scheduledCleanupAt';
      sort.value = 'scheduledCleanupAt';
      reload();
    } else {
      renderList();
    }
    if (date) {
      const bar = summary.querySelector(`[data-day="${date}"]`);
      if (bar) bar.focus();
    }
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

  async function loadMore() {
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
      errorToast(err);
    }
  }

  function visibleRows(type) {
    return state.items.filter((i) => i.type === type && (!state.day || cleanupDay(i, today()) === state.day));
  }

  function renderList() {
    closeMenus();
    clear(list);
    clear(more);
    clear(dayFilter);
    dayFilter.hidden = !state.day;
    if (state.day) {
      const d = state.timeline && state.timeline.days.find((x) => x.date === state.day);
      dayFilter.append(h('p', { class: 'day-filter-text' }, icon('clock'),
        h('span', {}, `Showing what is removed for good on ${dayText(state.day)}${d ? ` (${plural(d.items, 'item')})` : ''}.`)),
      button('Show everything', () => filterDay(''), { small: true, variant: 'ghost', 'data-action': 'clear-day' }));
    }
    for (const t of TYPES) if (!state.type || state.type === t.type) list.append(renderSection(t));
    if (state.nextCursor) more.append(button('Load more', () => loadMore(), { 'data-action': 'load-more' }));
    updateSelection();
  }

  function renderSection(t) {
    const rows = visibleRows(t.type);
    const titleId = uid('trash-sec');
    // counts are the whole Trash; while searching or showing one day, show what matched so far instead.
    const total = !state.q && !state.day && state.counts && state.counts[t.section] !== undefined
      ? String(state.counts[t.section])
      : `${rows.length}${state.nextCursor ? '+' : ''}`;
    const selectable = perms.restore(t.type) || perms.remove(t.type);
    const section = h('section', { class: 'card trash-section', 'aria-labelledby': titleId, 'data-section': t.section },
      h('h2', { id: titleId, class: 'card-title' }, t.title, ' ', h('span', { class: 'count' }, total)));
    if (rows.length === 0) {
      section.append(h('p', { class: 'muted empty-section' }, state.q ? `No ${t.noun}s match “${state.q}”.`
        : state.day ? `No ${t.noun}s are removed on ${dayText(state.day)}.` : `No ${t.noun}s in the Trash.`));
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
        selectable ? h('th', { scope: 'col', class: 'cell-check' }, h('label', { class: 'check-hit' }, allBox)) : null,
        h('th', { scope: 'col', class: 'col-name' }, 'Name'),
        h('th', { scope: 'col', class: 'col-when' }, 'Deleted'),
        h('th', { scope: 'col', class: 'col-days' }, 'Removed'),
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
    const label = labelOf(item);
    // One line of metadata; the separators are drawn by CSS between parts, so none dangles.
    const meta = [];
    if (item.type === 'version') meta.push(h('span', { 'data-location': true }, `in ${parentName}`));
    else if (item.type === 'training') meta.push(h('span', { 'data-location': true }, `in ${parentName} v${versionNumber}`));
    else if (item.url) meta.push(h('span', { 'data-location': true }, `/${item.url}`));
    if (item.type === 'project' && item.location && item.location.group && item.location.group.name) {
      meta.push(h('span', {}, `folder ${item.location.group.name}`));
    }
    if (item.type === 'training') meta.push(h('span', { 'data-size': true }, `model files ${formatBytes(item.sizeBytes)}`));
    else if (item.sizeBytes) meta.push(h('span', { 'data-size': true }, formatBytes(item.sizeBytes)));
    meta.push(h('span', { 'data-deleted-by': true }, `by ${item.deletedByName || item.deletedBy || 'unknown'}`));
    let reason = null;
    if (blockedByParent) {
      reason = h('p', { class: 'blocked-reason', id: reasonId, 'data-blocked-reason': 'parent_in_trash' }, icon('info'),
        h('span', {}, parentReason(item, parentName, versionNumber)));
    } else if (item.blockedReason === 'restore_conflict') {
      reason = h('p', { class: 'blocked-reason', id: reasonId, 'data-blocked-reason': 'restore_conflict' }, icon('info'),
        h('span', {}, `An active ${item.type} now uses the URL “${item.url}”: restoring asks for a new one.`));
    }
    const box = selectable ? h('input', {
      type: 'checkbox', 'aria-label': `Select ${label}`, 'data-select-row': keyOf(item), checked: state.selected.has(keyOf(item)),
      onchange: (e) => {
        if (e.target.checked) state.selected.set(keyOf(item), item);
        else state.selected.delete(keyOf(item));
        updateSelection();
      },
    }) : null;
    const canRestore = perms.restore(item.type);
    const canRemove = perms.remove(item.type);
    const blockedTitle = item.type === 'training' ? 'Restore its project or version first' : 'Restore the project first';
    const restore = canRestore ? button('Restore', () => restoreOne(item), {
      small: true, disabled: blockedByParent, 'data-action': 'restore',
      'aria-label': `Restore ${label}`, 'aria-describedby': blockedByParent ? reasonId : null,
      title: blockedByParent ? blockedTitle : null,
    }) : null;
    const menu = menuButton(`More actions for ${label}`, [
      canRestore ? { label: 'Restore', action: 'restore', disabled: blockedByParent, reason: blockedTitle, onSelect: () => restoreOne(item) } : null,
      canRemove ? { label: 'Delete permanently…', action: 'delete', danger: true, onSelect: () => deleteItems([item]) } : null,
    ], { dataset: { menuFor: keyOf(item) } });
    const cleanupExact = item.scheduledCleanupAt;
    return h('tr', {
      class: `trash-row${soon ? ' expiring' : ''}${blockedByParent ? ' blocked' : ''}`,
      'data-item': keyOf(item), 'data-type': item.type, 'data-name': item.name, 'data-days': String(days),
    },
    selectable ? h('td', { class: 'cell-check' }, h('label', { class: 'check-hit' }, box)) : null,
    h('th', { scope: 'row', class: 'cell-name' },
      h('div', { class: 'name-line' },
        h('span', { class: 'item-name' }, item.name),
        item.type === 'project' && item.cleanupDeleteImages ? attachTooltip(h('span', {
          class: 'amber', tabindex: '0', role: 'img', 'aria-label': AMBER_TIP, 'data-amber': true,
        }, h('span', { class: 'amber-dot', 'aria-hidden': 'true' }), h('span', { class: 'amber-text', 'aria-hidden': 'true' }, 'Images too')), AMBER_TIP) : null),
      h('div', { class: 'meta-line', title: meta.map((m) => m.textContent).join(' · ') }, meta),
      reason),
    h('td', { class: 'cell-when', 'data-label': 'Deleted' }, relativeTimeEl(item.deletedAt, relativeTime(item.deletedAt, serverNow())),
      h('span', { class: 'when-by', 'aria-hidden': 'true' }, `by ${item.deletedByName || item.deletedBy || 'unknown'}`)),
    h('td', { class: 'cell-days', 'data-label': 'Removed' },
      h('span', { class: 'days' }, cleanupExact
        ? relativeTimeEl(cleanupExact, days === 0 ? 'in less than a day' : `in ${plural(days, 'day')}`)
        : plural(days, 'day')),
      soon ? h('span', { class: 'badge badge-soon' }, icon('clock'), 'Expires soon') : null),
    h('td', { class: 'cell-actions' }, h('div', { class: 'row-actions' }, restore, menu)));
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
    const offset = state.clockOffset;
    await Promise.all([reload(), loadUsage()]);
    // The rows' relative times count from the server's clock, known once the timeline answered.
    if (Math.abs(state.clockOffset - offset) > 60000 && !signal.aborted) renderList();
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

  /**
   * Shows the outcome of a batch: what succeeded, what had already left the Trash (not an error:
   * another click, tab or person did it), and each real failure with its reason. An answer that
   * did nothing at all never replaces the panel of one that did.
   */
  function showResults(verb, done, failed) {
    const doneList = done || [];
    const gone = (failed || []).filter((f) => f.error && f.error.code === 'not_in_trash');
    const failedList = (failed || []).filter((f) => !(f.error && f.error.code === 'not_in_trash'));
    if (doneList.length === 0 && failedList.length === 0) {
      toast(gone.length ? `Nothing changed: ${plural(gone.length, 'item')} had already left the Trash.` : 'Nothing changed.', { kind: 'info' });
      return;
    }
    clear(results);
    const heading = failedList.length
      ? `${verb} ${plural(doneList.length, 'item')}; ${failedList.length} could not be ${verb.toLowerCase()}.`
      : `${verb} ${plural(doneList.length, 'item')}.`;
    const panel = h('div', { class: `card results-card ${failedList.length ? 'has-failures' : ''}`, role: 'status', 'data-results': verb.toLowerCase() },
      h('div', { class: 'card-head' }, h('h2', { class: 'card-title' }, heading),
        button('Dismiss', () => clear(results), { small: true, variant: 'ghost' })),
      doneList.length ? h('ul', { class: 'results-list' }, doneList.map((r) => h('li', { class: 'result-ok', 'data-result': 'ok' },
        h('span', { class: 'result-mark', 'aria-hidden': 'true' }, '✓'), `${r.name || nameOf(r)}`))) : null,
      gone.length ? h('ul', { class: 'results-list' }, gone.map((f) => h('li', { class: 'result-gone muted', 'data-result': 'gone' },
        h('span', { class: 'result-mark', 'aria-hidden': 'true' }, '–'), `${f.name || nameOf(f)}: had already left the Trash`))) : null,
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

  // One change at a time on this page: each button is disabled while its own request runs
  // (ui.js whileBusy), and a second, different button pressed before the first answer is ignored,
  // so no answer about what the first request already did replaces its true result.
  let changing = false;
  const oneAtATime = (fn) => async (...args) => {
    if (changing) return;
    changing = true;
    list.setAttribute('aria-busy', 'true');
    try {
      await fn(...args);
    } finally {
      changing = false;
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
      // Restored or deleted elsewhere meanwhile: what the user asked for is no error of theirs.
      if (err.code === 'not_in_trash') toast(`“${item.name}” had already left the Trash.`, { kind: 'info' });
      else errorToast(err);
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

  const deleteItems = oneAtATime(async (items) => {
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
      submitLabel: 'Delete permanently',
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
  });

  const empty = oneAtATime(async () => {
    await loadUsage();
    const u = state.usage || {};
    const count = u.trashItems !== undefined ? Number(u.trashItems) : null;
    const answer = await showDialog({
      name: 'empty-trash',
      title: 'Empty the Trash?',
      description: h('div', {},
        h('p', {}, `Everything in the Trash${count !== null ? ` (${plural(count, 'item')})` : ''} is deleted permanently. This cannot be undone.`),
        u.reclaimableBytes !== undefined ? h('p', {}, 'This frees ', h('strong', { 'data-reclaim-preview': true }, formatBytes(u.reclaimableBytes)), ' of storage now.') : null),
      confirmText: ws,
      confirmLabel: 'To confirm, type the workspace URL',
      submitLabel: 'Empty Trash',
      danger: true,
      onSubmit: () => withReauth(() => api.post(`/app/api/${enc(ws)}/trash/empty`, { confirm: ws })),
    });
    if (!answer) return;
    state.selected.clear();
    const failed = (answer.failed || []).filter((f) => !(f.error && f.error.code === 'not_in_trash'));
    if (failed.length) showResults('Deleted', (answer.deleted || []).map((d) => ({ ...d, name: nameOf(d) })), failed.map((f) => ({ ...f, name: nameOf(f) })));
    else {
      clear(results);
      toast(`Emptied the Trash: ${plural((answer.deleted || []).length, 'item')} deleted permanently`, { kind: 'success' });
    }
    await afterChange();
  });

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
