// The Trash page redesigned for scanning, its cleanup timeline, the home cards' menu, and buttons
// that are safe to press twice: real Chromium against a real limbod.
// With LIMBO_DOC_IMAGES=1 the tests also write the screenshots shown in docs/WEB.md to docs/images/.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as H from './helpers.mjs';

const { WS } = H;
const DAY = 24 * 3600;
const DOC_IMAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images');
const VIEWER = { email: 'viewer@example.com', password: 'viewer password 1', name: 'Vera Viewer' };
let server;
let browser;
let page;
const ids = {};

async function docShot(name, { fullPage = false } = {}) {
  await H.screenshot(page, name);
  if (process.env.LIMBO_DOC_IMAGES === '1') await page.screenshot({ path: path.join(DOC_IMAGES, `${name}.png`), fullPage });
}

// Items of all four types deleted on three days, so the Trash holds a blocked version, an
// "images too" project, two versions named v1 of different projects, a training run, workflows,
// and the timeline has bars on three days (3, 13 and 23 days from now).
before(async () => {
  server = await H.startServer({ demoTrainSeconds: 1 });
  const drones = await H.createProject(server, 'Drones', { url: 'drones', images: 2 });
  await H.createVersion(server, 'drones');
  await H.createVersion(server, 'drones');
  const harbour = await H.createProject(server, 'Harbour', { url: 'harbour', images: 1 });
  await H.createVersion(server, 'harbour');
  await H.createProject(server, 'Solar Farm', { url: 'solar-farm', images: 2 });
  const bridges = await H.createProject(server, 'Bridges', { url: 'bridges', images: 1 });
  await H.createVersion(server, 'bridges');
  await H.createProject(server, 'Kept Project', { url: 'kept-project', images: 1 });
  await H.createProject(server, 'Ships', { url: 'ships', images: 1 });
  await H.createWorkflow(server, 'Counter Flow', 'counter-flow');
  await H.createWorkflow(server, 'Old Flow', 'old-flow');
  const cats = await H.createProject(server, 'Cats', { url: 'cats', images: 1 });
  await H.createVersion(server, 'cats');
  const job = await H.trainToEnd(server, 'cats', 1);
  Object.assign(ids, { drones: drones.projectId, harbour: harbour.projectId, bridges: bridges.projectId, cats: cats.projectId, run: job.id });

  // Day 0: these reach their cleanup in 3 days at the end.
  await H.rest(server, 'DELETE', `/${WS}/drones/1`);
  await H.rest(server, 'DELETE', `/${WS}/harbour/1`);
  await H.rest(server, 'POST', `/${WS}/cats/1/v2/trainings/delete`, { trainingId: job.id });
  await H.advanceClock(server, 10 * DAY);
  // Day 10: in 13 days.
  await H.trashProject(server, 'solar-farm', true);
  await H.rest(server, 'DELETE', `/${WS}/bridges/1`);
  await H.trashProject(server, 'bridges');
  await H.advanceClock(server, 10 * DAY);
  // Day 20: in 23 days.
  await H.rest(server, 'DELETE', `/${WS}/workflows/counter-flow`);
  await H.rest(server, 'DELETE', `/${WS}/workflows/old-flow`);
  await H.rest(server, 'DELETE', `/${WS}/drones/2`);
  await H.advanceClock(server, 7 * DAY);

  const viewer = await H.rest(server, 'POST', `/${WS}/roles`, { name: 'Trash Viewer', permissions: ['view_trash'] });
  H.memberAdd(server, { ...VIEWER, role: viewer.id });
  ({ browser, page } = await H.openBrowser());
});

H.closeSuite(() => ({ server, browser, page }));

const openTrash = () => H.gotoAfterClockJump(page, server, `/app/${WS}/settings/trash`, 'settings');

/** Counts the requests of `method` whose path ends with `suffix` while `fn` runs. */
async function countRequests(method, suffix, fn) {
  let n = 0;
  const listener = (req) => {
    if (req.method() === method && new URL(req.url()).pathname.endsWith(suffix)) n += 1;
  };
  page.on('request', listener);
  try {
    await fn();
  } finally {
    page.off('request', listener);
  }
  return n;
}

/** Holds the answers to requests whose path ends with `suffix` for `ms`, so a test sees the button while it runs. */
async function slowDown(suffix, ms) {
  const matcher = (url) => url.pathname.endsWith(suffix);
  const handler = async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  };
  await page.route(matcher, handler);
  return () => page.unroute(matcher, handler);
}

const errorsShown = () => page.locator('.toast-error, [role="alert"]:not([hidden])').count();

test('the Trash at 1280 px: wide names with one line of metadata, relative times, and the screenshots', async () => {
  await openTrash();
  const rows = page.locator('tr.trash-row');
  assert.equal(await rows.count(), 9);
  // One line of metadata, none starting or ending with a separator.
  for (const meta of await page.locator('.meta-line').all()) {
    const text = (await meta.innerText()).trim();
    assert.doesNotMatch(text, /^·|·$/, `no dangling separator in "${text}"`);
    const box = await meta.boundingBox();
    const lineHeight = await meta.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.5);
    assert.ok(box.height < lineHeight * 1.5, `one line: ${text} is ${box.height}px high`);
  }
  // Relative times, the exact time in title and for screen readers.
  const deleted = page.locator('tr.trash-row[data-name="Counter Flow"] td.cell-when time');
  assert.equal(await deleted.evaluate((el) => el.firstChild.textContent), '7 days ago');
  assert.ok((await deleted.getAttribute('datetime')).endsWith('Z'));
  assert.match(await deleted.getAttribute('title'), /\d{4}/);
  assert.match(await deleted.locator('.visually-hidden').textContent(), /\(.*\d{4}.*\)/);
  const removed = page.locator('tr.trash-row[data-name="Counter Flow"] td.cell-days time');
  assert.equal(await removed.evaluate((el) => el.firstChild.textContent), 'in 23 days');
  // The name column is the widest.
  const nameWidth = (await page.locator('th.col-name').first().boundingBox()).width;
  assert.ok(nameWidth > 400, `name column ${nameWidth}px`);
  await docShot('trash-1280', { fullPage: true });
  await H.gotoAfterClockJump(page, server, `/app/${WS}`, 'home');
  await docShot('home-1280');
});

test('one colour per meaning: amber only for "images too", blocked reasons neutral with an icon, expiring soon its own', async () => {
  await openTrash();
  const amber = await page.locator('[data-amber]').evaluate((el) => getComputedStyle(el).color);
  const reason = page.locator('tr.trash-row[data-item="version|' + ids.bridges + '|1"] [data-blocked-reason="parent_in_trash"]');
  assert.equal(await reason.locator('svg.icon').count(), 1, 'the reason has an icon');
  const reasonColor = await reason.evaluate((el) => getComputedStyle(el).color);
  const soon = page.locator('.badge-soon').first();
  const soonColor = await soon.evaluate((el) => getComputedStyle(el).color);
  assert.notEqual(reasonColor, amber);
  assert.notEqual(soonColor, amber);
  assert.notEqual(soonColor, reasonColor);
  assert.equal(await page.locator('.badge-soon').count(), 3, 'the three items 3 days from cleanup');
  const amberish = await page.evaluate((colour) => [...document.querySelectorAll('main *')]
    .filter((el) => getComputedStyle(el).color === colour && !el.closest('[data-amber]')).length, amber);
  assert.equal(amberish, 0, 'nothing else is amber');
});

test('row names carry their context, so two versions named v1 are told apart', async () => {
  await openTrash();
  for (const parent of ['Drones', 'Harbour']) {
    assert.equal(await page.getByRole('button', { name: `Restore version v1 of ${parent}`, exact: true }).count(), 1);
    assert.equal(await page.getByRole('button', { name: `More actions for version v1 of ${parent}`, exact: true }).count(), 1);
    assert.equal(await page.getByRole('checkbox', { name: `Select version v1 of ${parent}`, exact: true }).count(), 1);
  }
  assert.equal(await page.getByRole('button', { name: 'Restore project Solar Farm', exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Restore workflow Counter Flow', exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: `Restore training ${ids.run} of Cats v1`, exact: true }).count(), 1);
  // Every name is unique; no red Delete on the rows (it lives in the menu and the selection bar).
  const names = await page.locator('tr.trash-row button').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  assert.equal(new Set(names).size, names.length, 'no two row buttons share a name');
  assert.equal(await page.locator('tr.trash-row .btn-ghost-danger, tr.trash-row .btn-danger').count(), 0);
  // 24 px minimum hit targets.
  for (const el of await page.locator('tr.trash-row button, tr.trash-row .check-hit, .trash-summary summary, .help-button').all()) {
    const box = await el.boundingBox();
    assert.ok(box.width >= 24 && box.height >= 24, `target ${await el.evaluate((e) => e.outerHTML.slice(0, 80))} is ${box.width}x${box.height}`);
  }
});

test('the More actions menu works by keyboard: arrows, Escape closes and focus returns', async () => {
  await openTrash();
  const trigger = page.getByRole('button', { name: 'More actions for workflow Old Flow', exact: true });
  await trigger.focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: 'More actions for workflow Old Flow' });
  await menu.waitFor();
  assert.equal(await trigger.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Restore');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete permanently…');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Restore', 'wraps around');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'More actions for workflow Old Flow');
  assert.equal(await trigger.getAttribute('aria-expanded'), 'false');
  // ArrowUp opens on the last item; Enter on it opens the confirmation, Escape there deletes nothing.
  await page.keyboard.press('ArrowUp');
  await menu.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete permanently…');
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[data-dialog="delete-permanently"]');
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'More actions for workflow Old Flow');
  assert.ok(await H.trashRow(page, 'Old Flow').count(), 'still in the Trash');
});

test('the selection bar appears with a selection and sticks under the top bar while the list scrolls', async () => {
  await openTrash();
  const bar = page.locator('[data-selection-bar]');
  assert.equal(await bar.isVisible(), false, 'hidden while nothing is selected');
  await page.getByRole('checkbox', { name: 'Select workflow Counter Flow', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Select project Bridges', exact: true }).check();
  await bar.getByText('2 items selected').waitFor();
  assert.equal(await bar.getByRole('button', { name: 'Delete permanently' }).isEnabled(), true);
  await page.mouse.wheel(0, 900);
  await page.waitForFunction(() => window.scrollY > 400);
  const topbar = await page.locator('.topbar').boundingBox();
  const box = await bar.boundingBox();
  assert.ok(Math.abs(box.y - (topbar.y + topbar.height)) <= 2, `the bar (${box.y}) sits under the top bar (${topbar.height})`);
  await page.screenshot({ path: path.join(H.ARTIFACTS, 'trash-selection-sticky.png') });
  await bar.getByRole('button', { name: 'Clear selection' }).click();
  await bar.waitFor({ state: 'hidden' });
  assert.equal(await page.locator('input[data-select-row]:checked').count(), 0);
});

test('the storage model’s figures, when the server sends them, are what the summary and the home bar show', async () => {
  // GET /:ws/usage with the fields of the storage model (docs/TRASH.md); older servers lack them.
  const usage = (u) => u.pathname === `/${WS}/usage`;
  await page.route(usage, async (route) => {
    const real = await (await route.fetch()).json();
    await route.fulfill({ json: { ...real, activeBytes: 2048, trashOnlyBytes: 5120, reclaimableBytes: 3072, storageBytes: 7168 } });
  });
  try {
    await openTrash();
    await page.locator('[data-trash-only]').waitFor();
    assert.equal(await page.locator('[data-trash-only]').textContent(), 'Held only by the Trash: 5.0 KB');
    assert.equal(await page.locator('[data-reclaimable]').textContent(), 'Empty Trash frees now: 3.0 KB');
    assert.equal(await page.locator('[data-trash-bytes]').count(), 0, 'the overlapping sum is not shown beside them');
    assert.match(await page.locator('.summary-toggle').innerText(), /Empty Trash frees now: 3\.0 KB/);
    const help = page.getByRole('button', { name: 'About these figures' });
    await help.click();
    assert.equal(await help.getAttribute('aria-expanded'), 'true');
    assert.match(await page.locator('.summary-help').innerText(), /may add up to more than the Trash holds/);
    assert.match(await page.locator('.summary-storage').innerText(), /^Active 2\.0 KB · /);
    await H.gotoAfterClockJump(page, server, `/app/${WS}`, 'home');
    assert.match(await page.locator('[data-active-bytes]').innerText(), /^Active 2\.0 KB/);
    assert.match(await page.locator('[data-trash-bytes]').innerText(), /^Held only by the Trash 5\.0 KB/);
  } finally {
    await page.unroute(usage);
  }
});

test('the cleanup timeline shows the API’s numbers, and a bar lists its day', async () => {
  await openTrash();
  const timeline = await H.rest(server, 'GET', `/${WS}/trash/timeline`);
  assert.equal(timeline.days.length, 31);
  const busy = timeline.days.filter((d) => d.items > 0);
  assert.equal(busy.length, 3);
  const bars = page.locator('[data-timeline] [data-day]');
  assert.equal(await bars.count(), busy.length);
  for (const d of busy) {
    const bar = page.locator(`[data-timeline] [data-day="${d.date}"]`);
    assert.equal(await bar.getAttribute('data-items'), String(d.items));
    assert.equal(await bar.getAttribute('data-bytes'), String(d.bytes));
    const label = await bar.getAttribute('aria-label');
    assert.ok(label.startsWith(`${d.items} item${d.items === 1 ? '' : 's'}, `), label);
    const day = new Date(`${d.date}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
    assert.ok(label.includes(` on ${day}`), label);
  }
  const described = await page.locator('[data-timeline] .visually-hidden').textContent();
  assert.equal(described.split('; ').length, 3);
  const total = busy.reduce((n, d) => n + d.items, 0);
  assert.match(await page.locator('[data-timeline-total]').textContent(), new RegExp(`^${total} items`));
  // The first busy day: 3 days from now, the two v1 versions and the run.
  const first = busy[0];
  await page.locator(`[data-timeline] [data-day="${first.date}"]`).click();
  await page.locator('.day-filter:not([hidden])').waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('tr.trash-row').length === n, first.items);
  const listing = await H.trashItems(server, '?limit=200');
  const expected = listing.items.filter((i) => i.scheduledCleanupAt.slice(0, 10) === first.date).map((i) => i.name).sort();
  const shown = (await page.locator('tr.trash-row').evaluateAll((rows) => rows.map((r) => r.dataset.name))).sort();
  assert.deepEqual(shown, expected);
  assert.equal(await page.locator(`[data-timeline] [data-day="${first.date}"]`).getAttribute('aria-pressed'), 'true');
  await page.getByRole('button', { name: 'Show everything' }).click();
  await page.waitForFunction(() => document.querySelectorAll('tr.trash-row').length === 9);
});

test('at 390 px the first screen shows Trash items, the current Settings tab is fully visible, and nothing scrolls sideways', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await openTrash();
    const first = page.locator('tr.trash-row').first();
    const box = await first.boundingBox();
    assert.ok(box.y >= 0 && box.y + box.height <= 844, `the first item (${box.y}–${box.y + box.height}) is on the first screen`);
    assert.equal(await page.locator('details[data-summary]').evaluate((d) => d.open), false, 'the summary is collapsed');
    const tab = page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Trash' });
    const t = await tab.boundingBox();
    assert.ok(t.x >= 0 && t.x + t.width <= 390, `the Trash tab (${t.x}–${t.x + t.width}) is fully visible`);
    const scroll = await page.evaluate(() => document.scrollingElement.scrollWidth);
    assert.ok(scroll <= 390, `no sideways scroll (${scroll}px)`);
    await docShot('trash-390');
    // The summary opens on demand, with the timeline inside.
    await page.locator('details[data-summary] > summary').click();
    await page.locator('[data-timeline]').waitFor();
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390);
    await docShot('trash-390-summary', { fullPage: true });
    await H.gotoApp(page, server, `/app/${WS}`, 'home');
    assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth) <= 390);
    await docShot('home-390');
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
});

test('a double click on Restore All restores once, the button is disabled while it runs, and the result stays true', async () => {
  await openTrash();
  const button = page.getByRole('button', { name: 'Restore All' });
  const release = await slowDown('/trash/restore-all', 600);
  const sent = await countRequests('POST', '/trash/restore-all', async () => {
    await button.dblclick();
    assert.equal(await button.isDisabled(), true, 'disabled while the request runs');
    assert.equal(await button.getAttribute('aria-busy'), 'true');
    await page.locator('[data-results="restored"]').waitFor();
  });
  await release();
  assert.equal(sent, 1);
  const heading = await page.locator('[data-results="restored"] .card-title').textContent();
  assert.match(heading, /^Restored [1-9]\d* items?/);
  assert.equal(await errorsShown(), 0);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-results="restored"] .card-title').textContent(), heading, 'no later answer replaced it');
});

test('a double click on a row’s Restore, Move to Trash, Delete permanently and Empty Trash sends one request and shows no error', async () => {
  // Move to Trash in the home card's menu (the card has no Delete button of its own).
  await H.gotoAfterClockJump(page, server, `/app/${WS}`, 'home');
  assert.equal(await page.locator('[data-project="kept-project"]').getByRole('button', { name: /^Delete/ }).count(), 0);
  await page.getByRole('button', { name: 'More actions for project Kept Project', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Delete project…' }).click();
  const dialog = page.locator('dialog[data-dialog="delete-project"]');
  await dialog.getByLabel(/To confirm, type the project ID/).fill('kept-project');
  let release = await slowDown('/kept-project', 400);
  let sent = await countRequests('DELETE', '/kept-project', async () => {
    await dialog.getByRole('button', { name: 'Move to Trash' }).dblclick();
    await page.locator('.toast', { hasText: 'Moved to Trash' }).waitFor();
  });
  await release();
  assert.equal(sent, 1);
  assert.equal(await errorsShown(), 0);
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await page.locator('[data-project="ships"]').waitFor();
  await H.trashProject(server, 'ships');

  await openTrash();
  // A row's Restore.
  const restore = page.getByRole('button', { name: 'Restore project Kept Project', exact: true });
  release = await slowDown('/trash/restore', 400);
  sent = await countRequests('POST', '/trash/restore', async () => {
    await restore.dblclick();
    await page.locator('.toast', { hasText: 'Restored “Kept Project”' }).waitFor();
  });
  await release();
  assert.equal(sent, 1);
  assert.equal(await errorsShown(), 0);

  // Delete permanently, from the row's menu.
  await page.getByRole('button', { name: 'More actions for project Ships', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Delete permanently…' }).click();
  const confirm = page.locator('dialog[data-dialog="delete-permanently"]');
  await confirm.waitFor();
  sent = await countRequests('POST', '/trash/delete', async () => {
    await confirm.getByRole('button', { name: 'Delete permanently' }).dblclick();
    await page.locator('.toast', { hasText: 'Deleted “Ships” permanently' }).waitFor();
  });
  assert.equal(sent, 1);
  assert.equal(await errorsShown(), 0);

  // Empty Trash: the button, then the dialog's submit.
  await H.trashProject(server, 'kept-project');
  await openTrash();
  const emptyButton = page.getByRole('button', { name: 'Empty Trash' });
  await emptyButton.dblclick();
  const emptyDialog = page.locator('dialog[data-dialog="empty-trash"]');
  await emptyDialog.waitFor();
  assert.equal(await page.locator('dialog[data-dialog="empty-trash"]').count(), 1, 'one dialog for a double click');
  await emptyDialog.getByLabel(/To confirm, type the workspace URL/).fill(WS);
  sent = await countRequests('POST', '/trash/empty', async () => {
    await emptyDialog.getByRole('button', { name: 'Empty Trash' }).dblclick();
    await page.locator('.toast', { hasText: 'Emptied the Trash' }).waitFor();
  });
  assert.equal(sent, 1);
  assert.equal(await errorsShown(), 0);
  await page.getByText('No projects in the Trash.').waitFor();
});

test('a double click on Create project creates one project', async () => {
  await H.gotoAfterClockJump(page, server, `/app/${WS}`, 'home');
  await page.getByRole('button', { name: 'New project' }).click();
  const dialog = page.locator('dialog[data-dialog="new-project"]');
  await dialog.getByLabel('Name').fill('Twice Clicked');
  const release = await slowDown('/projects', 400);
  const sent = await countRequests('POST', '/projects', async () => {
    await dialog.getByRole('button', { name: 'Create project' }).dblclick();
    await page.waitForURL(`**/app/${WS}/twice-clicked`);
  });
  await release();
  assert.equal(sent, 1);
  const projects = await H.rest(server, 'GET', `/${WS}/projects`);
  assert.equal(projects.projects.filter((p) => p.name === 'Twice Clicked').length, 1);
});

test('a role that may only look gets the view-only notice and no actions', async () => {
  await H.rest(server, 'DELETE', `/${WS}/workflows/old-flow`).catch(() => null);
  await H.trashProject(server, 'twice-clicked');
  await page.context().clearCookies();
  await H.login(page, server, { ...VIEWER, path: `/app/${WS}/settings/trash` });
  await H.ready(page, 'settings');
  const notice = page.locator('[data-view-only]');
  assert.equal((await notice.textContent()).trim(), 'You can view the Trash but not restore or delete items. Ask an owner.');
  await H.trashRow(page, 'Twice Clicked').waitFor();
  assert.equal(await page.locator('tr.trash-row button, tr.trash-row input[type=checkbox]').count(), 0);
  assert.equal(await page.getByRole('button', { name: /Restore|Empty Trash|Delete/ }).count(), 0);
  await page.context().clearCookies();
});
