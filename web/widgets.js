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

/** Used vs quota, with the part held by the Trash drawn apart. */
export function storageBar(usage) {
  const used = Number(usage.storageBytes) || 0;
  const quota = Number(usage.storageQuotaBytes) || 0;
  const trash = Math.min(Number(usage.trashBytes) || 0, used);
  const total = quota > 0 ? Math.max(quota, used) : Math.max(used, 1);
  const activePart = h('span', { class: 'storage-part storage-active' });
  const trashPart = h('span', { class: 'storage-part storage-trash' });
  activePart.style.width = `${((used - trash) / total) * 100}%`;
  trashPart.style.width = `${(trash / total) * 100}%`;
  // A non-empty part stays visible even when it is tiny next to the quota.
  if (used - trash > 0) activePart.style.minWidth = '3px';
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
      h('li', {}, h('span', { class: 'swatch swatch-active', 'aria-hidden': 'true' }), `Active ${formatBytes(used - trash)}`,
        usage.images !== undefined ? ` · ${plural(Number(usage.images) || 0, 'image')}` : ''),
      h('li', { 'data-trash-bytes': true }, h('span', { class: 'swatch swatch-trash', 'aria-hidden': 'true' }),
        `In the Trash ${formatBytes(trash)}`,
        usage.trashItems !== undefined ? ` · ${plural(Number(usage.trashItems) || 0, 'item')}` : '')));
}

export function groupOf(project) {
  const g = project.group;
  if (!g) return null;
  if (typeof g === 'string') return { id: g, name: g };
  return g;
}
