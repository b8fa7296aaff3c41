// Pieces shared by several pages: the storage bar and the project-type catalog.
import { h, formatBytes, plural } from './dom.js';

export const PROJECT_TYPES = [
  ['object-detection', 'Object detection'],
  ['single-label-classification', 'Single-label classification'],
  ['multi-label-classification', 'Multi-label classification'],
  ['instance-segmentation', 'Instance segmentation'],
  ['semantic-segmentation', 'Semantic segmentation'],
  ['keypoint-detection', 'Keypoint detection'],
];

export function projectTypeName(type) {
  const found = PROJECT_TYPES.find(([id]) => id === type);
  return found ? found[1] : type || '';
}

/**
 * Used vs quota, with the part held only by the Trash drawn apart. With the storage model's figures
 * (`activeBytes`, `trashOnlyBytes`) they are shown as the server counts them; an older server's
 * `trashBytes` (a sum of item sizes, which may overlap) is the fallback.
 */
export function storageBar(usage) {
  const used = Number(usage.storageBytes) || 0;
  const quota = Number(usage.storageQuotaBytes) || 0;
  const modelled = usage.trashOnlyBytes !== undefined && usage.activeBytes !== undefined;
  const trash = Math.min(Number(modelled ? usage.trashOnlyBytes : usage.trashBytes) || 0, used);
  const active = modelled ? Math.min(Number(usage.activeBytes) || 0, used) : used - trash;
  const total = quota > 0 ? Math.max(quota, used) : Math.max(used, 1);
  const activePart = h('span', { class: 'storage-part storage-active' });
  const trashPart = h('span', { class: 'storage-part storage-trash' });
  activePart.style.width = `${(active / total) * 100}%`;
  trashPart.style.width = `${(trash / total) * 100}%`;
  // A non-empty part stays visible even when it is tiny next to the quota.
  if (active > 0) activePart.style.minWidth = '3px';
  if (trash > 0) trashPart.style.minWidth = '3px';
  const pct = quota > 0 ? Math.round((used / quota) * 100) : null;
  const summary = quota > 0
    ? `${formatBytes(used)} of ${formatBytes(quota)} used (${pct}%)`
    : `${formatBytes(used)} used (no quota)`;
  return h('section', { class: 'card storage', 'aria-labelledby': 'storage-title', 'data-storage': true },
    h('div', { class: 'storage-head' },
      h('h2', { id: 'storage-title', class: 'card-title' }, 'Storage'),
      h('span', { class: 'storage-summary' }, summary)),
    h('div', { class: `storage-bar${pct !== null && pct >= 90 ? ' storage-full' : ''}`, 'aria-hidden': 'true' }, activePart, trashPart),
    h('ul', { class: 'storage-legend' },
      h('li', { 'data-active-bytes': true }, h('span', { class: 'swatch swatch-active', 'aria-hidden': 'true' }), `Active ${formatBytes(active)}`,
        usage.images !== undefined ? ` · ${plural(Number(usage.images) || 0, 'image')}` : ''),
      h('li', { 'data-trash-bytes': true }, h('span', { class: 'swatch swatch-trash', 'aria-hidden': 'true' }),
        modelled ? `Held only by the Trash ${formatBytes(trash)}` : `In the Trash ${formatBytes(trash)}`,
        usage.trashItems !== undefined ? ` · ${plural(Number(usage.trashItems) || 0, 'item')}` : '')));
}

export function groupOf(project) {
  const g = project.group;
  if (!g) return null;
  if (typeof g === 'string') return { id: g, name: g };
  return g;
}
