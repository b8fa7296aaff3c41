// The Trash in the browser, against a real limbod: every Trash action of the seed document.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './helpers.mjs';

const { WS } = H;
let server;
let browser;
let page;

before(async () => {
  server = await H.startServer();
  ({ browser, page } = await H.openBrowser());
});

H.closeSuite(() => ({ server, browser, page }));

const openTrash = () => H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
const versionRow = (projectId, n) => page.locator(`tr.trash-row[data-item="version|${projectId}|${n}"]`);

async function findInTrash(type, predicate) {
  const answer = await H.trashItems(server, '?limit=200');
  return (answer.items || []).find((i) => i.type === type && predicate(i));
}

test('logging in returns to the page that was asked for', async () => {
  await page.goto(`${server.url}/app/${WS}/settings/trash`);
  await page.waitForURL(/\/app\/login\?next=/);
  await H.screenshot(page, 'login');
  await page.getByLabel('Email').fill(H.OWNER.email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not correct' }).waitFor();
  await page.getByLabel('Password').fill(H.OWNER.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(`**/app/${WS}/settings/trash`);
  await H.ready(page, 'settings');
  await page.getByRole('heading', { name: 'Trash', level: 1 }).waitFor();
});

test('deleting a project with its images puts it in the Trash with the amber indicator', async () => {
  await H.createProject(server, 'Solar Panels', { url: 'solar-panels', images: 2 });
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await page.locator('[data-project="solar-panels"] .thumb img').waitFor();
  await H.screenshot(page, 'home');
  await H.chooseFromMenu(page, 'More actions for project Solar Panels', 'Delete project…');
  const dialog = page.locator('dialog[data-dialog="delete-project"]');
  await dialog.waitFor();
  const move = dialog.getByRole('button', { name: 'Move to Trash' });
  assert.equal(await move.isDisabled(), true, 'Move to Trash waits for the typed ID');
  await dialog.getByLabel('Also delete images from Asset Library').check();
  await dialog.getByLabel(/To confirm, type the project ID/).fill('solar-panel');
  assert.equal(await move.isDisabled(), true);
  await dialog.getByLabel(/To confirm, type the project ID/).fill('solar-panels');
  await H.screenshot(page, 'delete-project-dialog');
  await move.click();
  await page.locator('.toast', { hasText: 'Moved to Trash' }).waitFor();
  await page.locator('[data-project="solar-panels"]').waitFor({ state: 'detached' });

  const item = await findInTrash('project', (i) => i.url === 'solar-panels');
  assert.ok(item, 'the project is in the Trash');
  assert.equal(item.cleanupDeleteImages, true);

  await openTrash();
  const row = H.trashRow(page, 'Solar Panels');
  await row.waitFor();
  const amber = row.locator('[data-amber]');
  await amber.waitFor();
  assert.match(await amber.getAttribute('aria-label'), /other projects use are always kept/);
  assert.match(await row.textContent(), /30 days/);
  await amber.focus();
  const tooltip = page.getByRole('tooltip');
  assert.match(await tooltip.textContent(), /also be deleted from the Asset Library/);
  await H.screenshot(page, 'trash');
  await page.keyboard.press('Escape');
  await tooltip.waitFor({ state: 'detached' });
});

test('Undo in the toast restores what was just deleted', async () => {
  await H.createProject(server, 'Undo Me', { url: 'undo-me', images: 1 });
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await H.chooseFromMenu(page, 'More actions for project Undo Me', 'Delete project…');
  const dialog = page.locator('dialog[data-dialog="delete-project"]');
  await dialog.getByLabel(/To confirm, type the project ID/).fill('undo-me');
  await dialog.getByRole('button', { name: 'Move to Trash' }).click();
  const toast = page.locator('.toast', { hasText: 'Moved to Trash' });
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Restored “Undo Me”' }).waitFor();
  await page.locator('[data-project="undo-me"]').waitFor();
  const answer = await H.rest(server, 'GET', `/${WS}/undo-me`);
  assert.equal(answer.project.url, 'undo-me');
  assert.equal(await findInTrash('project', (i) => i.url === 'undo-me'), undefined);
});

test('Restore on one row brings the item back', async () => {
  await H.createProject(server, 'Street Signs', { url: 'street-signs', images: 1 });
  await H.trashProject(server, 'street-signs');
  await openTrash();
  const row = H.trashRow(page, 'Street Signs');
  await row.getByRole('button', { name: 'Restore project Street Signs' }).click();
  await page.locator('.toast', { hasText: 'Restored “Street Signs”' }).waitFor();
  await row.waitFor({ state: 'detached' });
  const answer = await H.rest(server, 'GET', `/${WS}/street-signs`);
  assert.equal(answer.project.name, 'Street Signs');
});

test('Restore for a selection restores exactly the selected items and reports each', async () => {
  for (const name of ['Alpha Flow', 'Beta Flow', 'Gamma Flow']) {
    const url = name.toLowerCase().replace(' ', '-');
    await H.createWorkflow(server, name, url);
    await H.rest(server, 'DELETE', `/${WS}/workflows/${url}`);
  }
  await openTrash();
  const section = page.locator('[data-section="workflows"]');
  await section.getByLabel('Select all workflows').check();
  for (const name of ['Alpha Flow', 'Beta Flow', 'Gamma Flow']) {
    assert.equal(await section.getByLabel(`Select workflow ${name}`).isChecked(), true, `select-all checks ${name}`);
  }
  await section.getByLabel('Select all workflows').uncheck();
  await section.getByLabel('Select workflow Alpha Flow').check();
  await section.getByLabel('Select workflow Gamma Flow').check();
  assert.equal(await section.getByLabel('Select all workflows').evaluate((el) => el.indeterminate), true);
  await page.getByText('2 items selected').waitFor();
  await page.locator('[data-action="restore-selected"]').click();
  const results = page.locator('[data-results="restored"]');
  await results.getByRole('heading', { name: 'Restored 2 items.' }).waitFor();
  assert.equal(await results.locator('[data-result="ok"]').count(), 2);
  await H.trashRow(page, 'Alpha Flow').waitFor({ state: 'detached' });
  await H.trashRow(page, 'Beta Flow').waitFor();
  const { workflows } = await H.rest(server, 'GET', `/${WS}/workflows`);
  const urls = workflows.map((w) => w.url);
  assert.ok(urls.includes('alpha-flow') && urls.includes('gamma-flow'));
  assert.ok(!urls.includes('beta-flow'));
});

test('a version whose project is in the Trash shows Restore disabled with the reason', async () => {
  const project = await H.createProject(server, 'Wind Turbines', { url: 'wind-turbines', images: 1 });
  await H.createVersion(server, 'wind-turbines');
  await H.createVersion(server, 'wind-turbines');
  await H.rest(server, 'DELETE', `/${WS}/wind-turbines/1`);
  await H.trashProject(server, 'wind-turbines');
  await openTrash();
  const row = versionRow(project.projectId, 1);
  await row.waitFor();
  const restore = row.getByRole('button', { name: /^Restore/ });
  assert.equal(await restore.isDisabled(), true);
  const reason = row.locator('[data-blocked-reason="parent_in_trash"]');
  assert.match(await reason.textContent(), /restore the project first/);
  assert.match(await reason.textContent(), /Wind Turbines/);
  await H.screenshot(page, 'trash-version-blocked');

  await H.trashRow(page, 'Wind Turbines').getByRole('button', { name: 'Restore project Wind Turbines' }).click();
  await page.locator('.toast', { hasText: 'Restored “Wind Turbines”' }).waitFor();
  const again = versionRow(project.projectId, 1).getByRole('button', { name: /^Restore/ });
  await page.waitForFunction(() => {
    const b = document.querySelector('tr.trash-row[data-type="version"] [data-action="restore"]');
    return b && !b.disabled;
  });
  await again.click();
  await versionRow(project.projectId, 1).waitFor({ state: 'detached' });
  const answer = await H.rest(server, 'GET', `/${WS}/wind-turbines`);
  assert.deepEqual(answer.versions.map((v) => Number(v.version)).sort(), [1, 2], 'v2 came back with its project, v1 on its own');
});

test('Restore All brings back a project together with its separately trashed version', async () => {
  const project = await H.createProject(server, 'Rivers', { url: 'rivers', images: 1 });
  await H.createVersion(server, 'rivers');
  await H.rest(server, 'DELETE', `/${WS}/rivers/1`);
  await H.trashProject(server, 'rivers');
  await openTrash();
  await versionRow(project.projectId, 1).waitFor();
  await page.getByRole('button', { name: 'Restore All' }).click();
  const results = page.locator('[data-results="restored"]');
  await results.waitFor();
  await H.trashRow(page, 'Rivers').waitFor({ state: 'detached' });
  await versionRow(project.projectId, 1).waitFor({ state: 'detached' });
  const answer = await H.rest(server, 'GET', `/${WS}/rivers`);
  assert.equal(answer.versions.length, 1);
  assert.equal((await H.trashItems(server)).items.length, 0, 'the Trash is empty');
  await page.getByText('No projects in the Trash.').waitFor();
});

test('a restore whose URL was taken asks for a new one and retries with it', async () => {
  await H.createProject(server, 'Roads', { url: 'roads', images: 1 });
  await H.trashProject(server, 'roads');
  await H.createProject(server, 'Roads Again', { url: 'roads' });
  await openTrash();
  const row = H.trashRow(page, 'Roads');
  await row.locator('[data-blocked-reason="restore_conflict"]').waitFor().catch(() => {});
  await row.getByRole('button', { name: 'Restore project Roads' }).click();
  const dialog = page.locator('dialog[data-dialog="restore-conflict"]');
  await dialog.waitFor();
  await dialog.getByLabel('New URL').fill('roads-old');
  await H.screenshot(page, 'trash-restore-conflict');
  await dialog.getByRole('button', { name: 'Restore' }).click();
  const restored = page.locator('.toast', { hasText: 'as roads-old' });
  const failure = dialog.getByRole('alert');
  await Promise.race([restored.waitFor(), failure.waitFor()]);
  if (await failure.isVisible()) assert.fail(`the retry with a new URL failed: ${await failure.textContent()}`);
  await row.waitFor({ state: 'detached' });
  assert.equal((await H.rest(server, 'GET', `/${WS}/roads-old`)).project.name, 'Roads');
  assert.equal((await H.rest(server, 'GET', `/${WS}/roads`)).project.name, 'Roads Again', 'nothing was overwritten');
});

test('Delete Permanently asks for confirmation, for one row and for a selection', async () => {
  for (const name of ['Old Flow', 'Older Flow', 'Oldest Flow']) {
    const url = name.toLowerCase().replace(' ', '-');
    await H.createWorkflow(server, name, url);
    await H.rest(server, 'DELETE', `/${WS}/workflows/${url}`);
  }
  await openTrash();
  const row = H.trashRow(page, 'Old Flow');
  await H.chooseFromMenu(page, 'More actions for workflow Old Flow', 'Delete permanently…');
  let dialog = page.locator('dialog[data-dialog="delete-permanently"]');
  await dialog.getByText('This cannot be undone.').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await row.count(), 1, 'cancel keeps the item');

  await H.chooseFromMenu(page, 'More actions for workflow Old Flow', 'Delete permanently…');
  dialog = page.locator('dialog[data-dialog="delete-permanently"]');
  await dialog.getByRole('button', { name: 'Delete Permanently' }).click();
  await page.locator('.toast', { hasText: 'Deleted “Old Flow” permanently' }).waitFor();
  await row.waitFor({ state: 'detached' });

  const section = page.locator('[data-section="workflows"]');
  await section.getByLabel('Select workflow Older Flow').check();
  await section.getByLabel('Select workflow Oldest Flow').check();
  await page.locator('[data-action="delete-selected"]').click();
  dialog = page.locator('dialog[data-dialog="delete-permanently"]');
  await dialog.getByRole('heading', { name: 'Delete 2 items permanently?' }).waitFor();
  await dialog.getByRole('button', { name: 'Delete Permanently' }).click();
  await page.locator('[data-results="deleted"]').getByRole('heading', { name: 'Deleted 2 items.' }).waitFor();
  await H.trashRow(page, 'Oldest Flow').waitFor({ state: 'detached' });

  await H.advanceClock(server, 0); // lets the cleanup worker finish what the deletion started
  const remaining = await H.trashItems(server, '?type=workflow');
  assert.equal(remaining.items.filter((i) => /^Old/.test(i.name)).length, 0);
  await assert.rejects(H.rest(server, 'GET', `/${WS}/workflows/old-flow`), (e) => e.status === 404 && e.code === 'not_found');
});

test('search, sort and Load more page through a large Trash', async () => {
  const names = [];
  for (let i = 1; i <= 55; i++) {
    const n = String(i).padStart(2, '0');
    names.push(`Bulk Flow ${n}`);
    await H.createWorkflow(server, `Bulk Flow ${n}`, `bulk-flow-${n}`);
    await H.rest(server, 'DELETE', `/${WS}/workflows/bulk-flow-${n}`);
  }
  await openTrash();
  const rows = page.locator('[data-section="workflows"] tr.trash-row');
  await page.getByLabel('Search the Trash').fill('Bulk');
  // The search is debounced: wait for its answer, not for a first page that merely has 50 rows too.
  await page.locator('[data-section="projects"] .empty-section', { hasText: 'match “Bulk”' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-section="workflows"] tr.trash-row').length === 50);
  assert.equal(await page.locator('[data-section="projects"] tr.trash-row').count(), 0, 'search filters other sections');
  await page.getByLabel('Sort by').selectOption('name');
  await page.waitForFunction(() => document.querySelector('[data-section="workflows"] tr.trash-row')?.dataset.name === 'Bulk Flow 01');
  await rows.first().getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-section="workflows"] tr.trash-row').length === 55);
  assert.equal(await rows.last().getAttribute('data-name'), 'Bulk Flow 55');
  assert.equal(await rows.first().getByRole('checkbox').isChecked(), true, 'the selection survives Load more');
  assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
  await page.getByLabel('Search the Trash').fill('');
  await page.waitForFunction(() => document.querySelectorAll('[data-section="workflows"] tr.trash-row').length === 50);
});

test('Empty Trash shows the bytes it frees and needs the workspace URL typed', async () => {
  await H.createProject(server, 'Harbor', { url: 'harbor', images: 2 });
  await H.createProject(server, 'Docks', { url: 'docks' });
  const harborImages = (await H.rest(server, 'GET', `/${WS}/images?project=harbor`)).images;
  const [shared, own] = harborImages;
  await H.rest(server, 'POST', `/${WS}/docks/images`, { images: [shared.id] });
  await H.trashProject(server, 'harbor', true);
  await H.createWorkflow(server, 'Harbor Flow', 'harbor-flow');
  await H.rest(server, 'DELETE', `/${WS}/workflows/harbor-flow`);
  const usage = await H.rest(server, 'GET', `/${WS}/usage`);
  assert.ok(usage.reclaimableBytes > 0);
  await openTrash();
  await page.locator('[data-reclaimable]').waitFor();
  await page.getByRole('button', { name: 'Empty Trash' }).click();
  const dialog = page.locator('dialog[data-dialog="empty-trash"]');
  await dialog.locator('[data-reclaim-preview]').waitFor();
  assert.match(await dialog.locator('[data-reclaim-preview]').textContent(), /\d+(\.\d)? (B|KB|MB)/);
  const submit = dialog.getByRole('button', { name: 'Empty Trash' });
  const input = dialog.getByLabel(/To confirm, type the workspace URL/);
  await input.fill('acm');
  assert.equal(await submit.isDisabled(), true);
  await input.fill(WS);
  assert.equal(await submit.isDisabled(), false);
  await H.screenshot(page, 'trash-empty-dialog');
  await submit.click();
  await page.locator('.toast', { hasText: 'Emptied the Trash' }).waitFor();
  await page.getByText('No projects in the Trash.').waitFor();
  await page.getByText('No workflows in the Trash.').waitFor();
  assert.equal((await H.trashItems(server)).items.length, 0);
  await H.advanceClock(server, 0); // lets the cleanup worker finish what Empty Trash started
  const after = await H.rest(server, 'GET', `/${WS}/usage`);
  assert.equal(after.trashItems, 0);
  assert.equal(after.reclaimableBytes, 0);
  // "Also delete images from Asset Library": the image only Harbor used is gone, the shared one stays.
  const ids = (await H.rest(server, 'GET', `/${WS}/images?limit=1000`)).images.map((i) => i.id);
  assert.ok(ids.includes(shared.id), 'an image another project uses is preserved');
  assert.ok(!ids.includes(own.id), 'an image only the deleted project used is removed');
});

test('Delete Permanently after the sudo window asks for the password, then deletes', async () => {
  await H.createWorkflow(server, 'Sudo Flow', 'sudo-flow');
  await H.rest(server, 'DELETE', `/${WS}/workflows/sudo-flow`);
  await H.advanceClock(server, 11 * 60); // the password was entered more than 10 minutes ago
  await openTrash();
  const row = H.trashRow(page, 'Sudo Flow');
  await H.chooseFromMenu(page, 'More actions for workflow Sudo Flow', 'Delete permanently…');
  const confirm = page.locator('dialog[data-dialog="delete-permanently"]');
  await confirm.getByRole('button', { name: 'Delete Permanently' }).click();

  const reauth = page.locator('dialog[data-dialog="reauth"]');
  await reauth.getByRole('heading', { name: 'Confirm it’s you' }).waitFor();
  assert.match(await reauth.textContent(), /10 minutes/);
  assert.match(await reauth.textContent(), new RegExp(H.OWNER.email));
  const password = reauth.getByLabel('Password');
  assert.equal(await password.evaluate((el) => el === document.activeElement), true, 'focus starts on the password');
  await H.screenshot(page, 'trash-reauth-dialog');

  await password.fill('not my password');
  await reauth.getByRole('button', { name: 'Confirm' }).click();
  await reauth.getByRole('alert').filter({ hasText: 'Wrong password' }).waitFor();
  await H.screenshot(page, 'trash-reauth-wrong-password');
  assert.ok(await findInTrash('workflow', (i) => i.name === 'Sudo Flow'), 'a wrong password deletes nothing');
  assert.equal(page.url(), `${server.url}/app/${WS}/settings/trash`, 'a wrong password does not end the session');

  await password.fill(H.OWNER.password);
  await reauth.getByRole('button', { name: 'Confirm' }).click();
  await page.locator('.toast', { hasText: 'Deleted “Sudo Flow” permanently' }).waitFor();
  await reauth.waitFor({ state: 'detached' });
  await confirm.waitFor({ state: 'detached' });
  await row.waitFor({ state: 'detached' });
  await H.advanceClock(server, 0);
  assert.equal(await findInTrash('workflow', (i) => i.name === 'Sudo Flow'), undefined, 'the item is gone');
  await assert.rejects(H.rest(server, 'GET', `/${WS}/workflows/sudo-flow`), (e) => e.status === 404);
});

test('cancelling the password dialog deletes nothing and keeps the confirmation open', async () => {
  await H.createWorkflow(server, 'Kept Flow', 'kept-flow');
  await H.rest(server, 'DELETE', `/${WS}/workflows/kept-flow`);
  await H.advanceClock(server, 11 * 60);
  await openTrash();
  await H.trashRow(page, 'Kept Flow').waitFor();
  await H.chooseFromMenu(page, 'More actions for workflow Kept Flow', 'Delete permanently…');
  const confirm = page.locator('dialog[data-dialog="delete-permanently"]');
  await confirm.getByRole('button', { name: 'Delete Permanently' }).click();
  const reauth = page.locator('dialog[data-dialog="reauth"]');
  await reauth.getByRole('button', { name: 'Cancel' }).click();
  await reauth.waitFor({ state: 'detached' });
  await confirm.getByRole('alert').filter({ hasText: 'Nothing was deleted' }).waitFor();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  assert.ok(await findInTrash('workflow', (i) => i.name === 'Kept Flow'), 'the item stays in the Trash');
});

test('rows near cleanup are highlighted, and an item disappears once the clock passes its cleanup time', async () => {
  await H.createWorkflow(server, 'Expiring Flow', 'expiring-flow');
  await H.rest(server, 'DELETE', `/${WS}/workflows/expiring-flow`);
  await H.advanceClock(server, 27 * 86400);
  await H.gotoAfterClockJump(page, server, `/app/${WS}/settings/trash`, 'settings');
  const row = H.trashRow(page, 'Expiring Flow');
  await row.waitFor();
  assert.match(await row.getAttribute('class'), /expiring/);
  assert.equal(await row.getAttribute('data-days'), '3');
  await row.getByText('Expires soon').waitFor();
  await H.screenshot(page, 'trash-expiring');

  await H.advanceClock(server, 4 * 86400);
  await H.gotoAfterClockJump(page, server, `/app/${WS}/settings/trash`, 'settings');
  await page.locator('[data-section="workflows"]').waitFor();
  assert.equal(await H.trashRow(page, 'Expiring Flow').count(), 0);
  assert.equal((await H.trashItems(server)).items.length, 0);

  await H.gotoApp(page, server, `/app/${WS}/settings/audit`, 'settings');
  const cleanup = page.locator('tr[data-action="auto_cleanup"]', { hasText: 'Expiring Flow' });
  await cleanup.waitFor();
  assert.match(await cleanup.textContent(), /system/);
  await H.screenshot(page, 'audit-log');
});

// Trainings (runs) as a Trash type: deleted from the version on the project page, listed in the
// Trash's Trainings section with the same row behaviour as the other sections.
const trainingRow = (id) => page.locator(`tr.trash-row[data-item="training||${id}"]`);
let cats;
let runA;
let runB;

test('a training run is moved to the Trash from its version through the type-to-confirm dialog', async () => {
  cats = await H.createProject(server, 'Cats', { url: 'cats', images: 1 });
  await H.createVersion(server, 'cats');
  runA = await H.trainToEnd(server, 'cats', 1);
  runB = (await H.rest(server, 'POST', `/${WS}/cats/1/train`, {})).job;

  await H.gotoApp(page, server, `/app/${WS}/cats`, 'project');
  const runs = page.locator('[data-runs="1"]');
  const rowA = runs.locator(`[data-training="${runA.id}"]`);
  const rowB = runs.locator(`[data-training="${runB.id}"]`);
  await rowA.waitFor();
  await rowB.waitFor();
  assert.equal(await rowA.locator('[data-run-status]').getAttribute('data-run-status'), 'finished');
  assert.equal(await rowA.locator('[data-version-model]').count(), 1, 'the finished run’s model is the version’s');
  assert.match(await rowA.textContent(), /started/);
  // A run in progress cannot go to the Trash: its Delete is disabled, and says why.
  const deleteB = page.getByRole('button', { name: `Delete training ${runB.id} of Cats v1` });
  assert.equal(await deleteB.isDisabled(), true);
  assert.match(await rowB.textContent(), /In progress — cancel it first/);
  const describedBy = await deleteB.getAttribute('aria-describedby');
  assert.match(await page.locator(`[id="${describedBy}"]`).textContent(), /cancel it first/);
  await H.screenshot(page, 'version-runs-in-progress');

  await H.finishRun(server, runB.id);
  await H.gotoApp(page, server, `/app/${WS}/cats`, 'project');
  await rowB.locator('[data-run-status="finished"]').waitFor();
  assert.equal(await rowB.locator('[data-version-model]').count(), 1, 'the newest finished run’s model is the version’s');
  assert.equal(await rowA.locator('[data-version-model]').count(), 0);
  assert.equal(await page.getByRole('button', { name: `Delete training ${runB.id} of Cats v1` }).isDisabled(), false);

  await page.getByRole('button', { name: `Delete training ${runB.id} of Cats v1` }).click();
  const dialog = page.locator('dialog[data-dialog="delete-training"]');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Its model is the model of v1/, 'the dialog says the version’s model changes');
  const move = dialog.getByRole('button', { name: 'Move to Trash' });
  const input = dialog.getByLabel(/To confirm, type the training ID/);
  assert.equal(await input.evaluate((el) => el === document.activeElement), true, 'focus starts on the typed ID');
  await input.fill(runB.id.slice(0, -1));
  assert.equal(await move.isDisabled(), true, 'Move to Trash waits for the whole training ID');
  await input.fill(runB.id);
  await H.screenshot(page, 'delete-training-dialog');
  await move.click();
  await page.locator('.toast', { hasText: 'Moved to Trash' }).waitFor();
  await rowB.waitFor({ state: 'detached' });
  const left = await H.trainings(server, 'cats', 1);
  assert.deepEqual(left.map((t) => t.trainingId), [runA.id]);
  assert.equal(left[0].versionModel, true, 'the version now uses the remaining run’s model');
  await rowA.locator('[data-version-model]').waitFor();
  const item = await findInTrash('training', (i) => i.id === runB.id);
  assert.ok(item, 'the run is in the Trash');
  assert.equal(item.parentId, cats.projectId);

  // Undo puts it back, as for the other types; the model that serves now stays the version's.
  await page.locator('.toast', { hasText: 'Moved to Trash' }).getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: `Restored “training ${runB.id}”` }).waitFor();
  await rowB.waitFor();
  assert.equal(await findInTrash('training', (i) => i.id === runB.id), undefined);
  assert.equal(await rowB.locator('[data-version-model]').count(), 0);
  await rowA.locator('[data-version-model]').waitFor();
  await H.screenshot(page, 'version-runs');
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await H.gotoApp(page, server, `/app/${WS}/cats`, 'project');
    await rowA.waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    await H.screenshot(page, 'phone-version-runs');
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
});

test('the Trash lists a training in its section with who, when, days, model size and its version, and restores it', async () => {
  await H.rest(server, 'POST', `/${WS}/cats/1/v2/trainings/delete`, { trainingId: runA.id });
  await openTrash();
  const section = page.locator('[data-section="trainings"]');
  await section.getByRole('heading', { name: /Trainings/ }).waitFor();
  const row = trainingRow(runA.id);
  await row.waitFor();
  const text = await row.textContent();
  assert.match(text, new RegExp(`Training ${runA.id} of v1`));
  assert.match(text, /in Cats v1/);
  assert.match(text, /model files \d+(\.\d)? (B|KB)/);
  assert.match(text, /30 days/);
  assert.match(await row.locator('[data-deleted-by]').textContent(), /^by \S/);
  const item = await findInTrash('training', (i) => i.id === runA.id);
  assert.ok(item.sizeBytes > 0, 'the run’s model file has a size');
  assert.equal(await row.locator('[data-deleted-by]').textContent(), `by ${item.deletedByName || item.deletedBy}`);

  // The filter shows the Trainings section alone.
  await page.getByLabel('Show').selectOption('training');
  await page.waitForFunction(() => !document.querySelector('[data-section="projects"]'));
  await row.waitFor();
  assert.equal(await page.locator('[data-section]').count(), 1);
  await H.screenshot(page, 'trash-trainings');
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await openTrash();
    await row.waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    await H.screenshot(page, 'phone-trash-trainings');
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }

  await openTrash();
  await row.getByRole('button', { name: `Restore training ${runA.id} of Cats v1` }).click();
  await page.locator('.toast', { hasText: 'Restored' }).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual((await H.trainings(server, 'cats', 1)).map((t) => t.trainingId).sort(), [runA.id, runB.id].sort());
});

test('a training whose version is in the Trash shows Restore disabled with the reason; a selection restores it after', async () => {
  await H.rest(server, 'POST', `/${WS}/cats/1/v2/trainings/delete`, { trainingId: runA.id });
  await H.rest(server, 'DELETE', `/${WS}/cats/1`);
  await openTrash();
  const row = trainingRow(runA.id);
  await row.waitFor();
  const restore = row.getByRole('button', { name: `Restore training ${runA.id} of Cats v1` });
  assert.equal(await restore.isDisabled(), true);
  const reason = row.locator('[data-blocked-reason="parent_in_trash"]');
  assert.match(await reason.textContent(), /version v1 of “Cats” is in the Trash: restore the version first/);
  assert.equal(await restore.getAttribute('aria-describedby'), await reason.getAttribute('id'));
  await H.screenshot(page, 'trash-training-blocked');

  // The server refuses it too (the button is a courtesy).
  await assert.rejects(H.rest(server, 'POST', `/${WS}/trash/restore`, { type: 'training', id: runA.id }),
    (e) => e.status === 409 && e.code === 'parent_in_trash');

  await versionRow(cats.projectId, 1).getByRole('button', { name: 'Restore version v1 of Cats' }).click();
  await versionRow(cats.projectId, 1).waitFor({ state: 'detached' });
  await page.waitForFunction((id) => {
    const b = document.querySelector(`tr.trash-row[data-item="training||${id}"] [data-action="restore"]`);
    return b && !b.disabled;
  }, runA.id);
  await page.locator('[data-section="trainings"]').getByLabel(`Select training ${runA.id} of Cats v1`).check();
  await page.locator('[data-action="restore-selected"]').click();
  const results = page.locator('[data-results="restored"]');
  await results.getByRole('heading', { name: 'Restored 1 item.' }).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.ok((await H.trainings(server, 'cats', 1)).some((t) => t.trainingId === runA.id));
});

test('Restore All brings back a version and its separately trashed training; Delete Permanently removes a run', async () => {
  await H.rest(server, 'POST', `/${WS}/cats/1/v2/trainings/delete`, { trainingId: runA.id });
  await H.rest(server, 'DELETE', `/${WS}/cats/1`);
  await openTrash();
  await trainingRow(runA.id).waitFor();
  await page.getByRole('button', { name: 'Restore All' }).click();
  await page.locator('[data-results="restored"]').getByRole('heading', { name: 'Restored 2 items.' }).waitFor();
  await trainingRow(runA.id).waitFor({ state: 'detached' });
  assert.ok((await H.trainings(server, 'cats', 1)).some((t) => t.trainingId === runA.id), 'the run came back after its version');

  await H.rest(server, 'POST', `/${WS}/cats/1/v2/trainings/delete`, { trainingId: runB.id });
  await openTrash();
  const row = trainingRow(runB.id);
  await row.waitFor();
  await H.chooseFromMenu(page, `More actions for training ${runB.id} of Cats v1`, 'Delete permanently…');
  const dialog = page.locator('dialog[data-dialog="delete-permanently"]');
  await dialog.getByText('This cannot be undone.').waitFor();
  await dialog.getByRole('button', { name: 'Delete Permanently' }).click();
  // The password may be older than the sudo window (earlier tests moved the clock): confirm it then.
  const done = page.locator('.toast', { hasText: 'permanently' });
  const reauth = page.locator('dialog[data-dialog="reauth"]');
  await Promise.race([done.waitFor(), reauth.waitFor()]);
  if (await reauth.count()) {
    await reauth.getByLabel('Password').fill(H.OWNER.password);
    await reauth.getByRole('button', { name: 'Confirm' }).click();
  }
  await done.waitFor();
  await row.waitFor({ state: 'detached' });
  await H.advanceClock(server, 0);
  assert.equal(await findInTrash('training', (i) => i.id === runB.id), undefined);
  await assert.rejects(H.rest(server, 'GET', `/${WS}/jobs/${runB.id}`), (e) => e.status === 404);
  assert.deepEqual((await H.trainings(server, 'cats', 1)).map((t) => t.trainingId), [runA.id]);
});

test('the role editor offers trash_training and restore_training in the Trash group', async () => {
  await H.gotoApp(page, server, `/app/${WS}/settings/roles`, 'settings');
  await page.getByRole('button', { name: 'New role' }).click();
  const dialog = page.locator('dialog[data-dialog="new-role"]');
  const trashGroup = dialog.locator('fieldset', { has: page.locator('legend', { hasText: 'Trash' }) });
  for (const perm of ['trash_training', 'restore_training']) {
    await trashGroup.locator(`input[data-permission="${perm}"]`).waitFor();
  }
  await dialog.getByLabel('Role name').fill('Run Keeper');
  await trashGroup.locator('input[data-permission="trash_training"]').check();
  await trashGroup.locator('input[data-permission="restore_training"]').check();
  await dialog.getByRole('button', { name: 'Create role' }).click();
  await page.locator('.toast', { hasText: 'Created role' }).waitFor();
  const roles = await H.rest(server, 'GET', `/${WS}/roles`);
  const list = Array.isArray(roles) ? roles : roles.roles;
  const made = list.find((r) => r.name === 'Run Keeper');
  assert.deepEqual([...made.permissions].sort(), ['restore_training', 'trash_training']);
});

test('a double click on Restore or on Restore All restores once and reports the true result', async () => {
  await H.createProject(server, 'Harbour', { url: 'harbour', images: 1 });
  await H.trashProject(server, 'harbour');
  await openTrash();
  const row = H.trashRow(page, 'Harbour');
  await row.getByRole('button', { name: 'Restore project Harbour' }).dblclick();
  await page.locator('.toast', { hasText: 'Restored “Harbour”' }).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.equal(await page.locator('.toast', { hasText: 'not in the Trash' }).count(), 0, 'no error after the second click');

  await H.trashProject(server, 'harbour');
  await openTrash();
  await H.trashRow(page, 'Harbour').waitFor();
  await page.getByRole('button', { name: 'Restore All' }).dblclick();
  const results = page.locator('[data-results="restored"]');
  await results.waitFor();
  const text = await results.innerText();
  assert.match(text, /Harbour/, 'the result names what was restored');
  assert.doesNotMatch(text, /Restored 0/, 'a second click does not replace the result');
  const answer = await H.rest(server, 'GET', `/${WS}/harbour`);
  assert.equal(answer.project.name, 'Harbour');
});
