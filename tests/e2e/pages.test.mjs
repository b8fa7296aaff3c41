// The rest of the web app: project page (upload, versions, training), workflows, settings pages,
// the workspace switcher, keyboard use of dialogs and a phone-width layout.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './helpers.mjs';

const { WS } = H;
let server;
let browser;
let page;

before(async () => {
  server = await H.startServer();
  await H.createProject(server, 'Bridges', { url: 'bridges', images: 2 });
  const group = await H.rest(server, 'POST', `/${WS}/groups`, { name: 'Infrastructure' });
  await H.createProject(server, 'Tunnels', { url: 'tunnels', images: 1, group: group.id });
  ({ browser, page } = await H.openBrowser());
  await H.login(page, server);
  await H.ready(page, 'home');
});

H.closeSuite(() => ({ server, browser, page }));

test('the app is served with its security headers and content types', async () => {
  const pageRes = await fetch(`${server.url}/app/${WS}/settings/trash`);
  assert.equal(pageRes.status, 200);
  assert.match(pageRes.headers.get('content-type'), /^text\/html/);
  const csp = pageRes.headers.get('content-security-policy') || '';
  for (const part of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) {
    assert.ok(csp.includes(part), `CSP has ${part}`);
  }
  assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), 'no unsafe CSP sources');
  assert.equal(pageRes.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await pageRes.text(), /<script type="module" src="\/app\/static\/app\.js"><\/script>/);
  for (const [file, type] of [['app.js', /javascript/], ['style.css', /text\/css/], ['favicon.svg', /image\/svg\+xml/]]) {
    const r = await fetch(`${server.url}/app/static/${file}`);
    assert.equal(r.status, 200, file);
    assert.match(r.headers.get('content-type'), type, file);
  }
});

test('the home page groups projects by folder and shows the storage bar', async () => {
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  const folder = page.getByRole('region', { name: 'Infrastructure' });
  await folder.locator('[data-project="tunnels"]').waitFor();
  await page.locator('[data-project="bridges"]').getByText('2 images').waitFor();
  await page.locator('[data-storage]').getByRole('heading', { name: 'Storage' }).waitFor();
  await page.locator('[data-project="bridges"] .thumb img').waitFor();
  // `updated` is Roboflow's epoch seconds; the page shows Limbo's ISO `updatedAt`.
  const { project } = await H.rest(server, 'GET', `/${WS}/bridges`);
  assert.equal(await page.locator('[data-project="bridges"] time').getAttribute('datetime'), project.updatedAt);
});

test('New folder and New project from the home page', async () => {
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await page.getByRole('button', { name: 'New folder' }).click();
  let dialog = page.locator('dialog[data-dialog="new-folder"]');
  await dialog.getByLabel('Folder name').fill('Maritime');
  await dialog.getByRole('button', { name: 'Create folder' }).click();
  await page.getByRole('region', { name: 'Maritime' }).waitFor();
  await page.getByRole('button', { name: 'New project' }).click();
  dialog = page.locator('dialog[data-dialog="new-project"]');
  await dialog.getByLabel('Name').fill('Ships');
  await dialog.getByLabel('URL (optional)').fill('ships');
  await dialog.getByLabel('Type').selectOption('instance-segmentation');
  await dialog.getByLabel('Folder').selectOption({ label: 'Maritime' });
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(`**/app/${WS}/ships`);
  await H.ready(page, 'project');
  await page.getByRole('heading', { name: 'Ships', level: 1 }).waitFor();
  const { project } = await H.rest(server, 'GET', `/${WS}/ships`);
  assert.equal(project.type, 'instance-segmentation');
  assert.equal(project.group && project.group.name, 'Maritime');
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await page.getByRole('region', { name: 'Maritime' }).locator('[data-project="ships"]').waitFor();
});

test('the project page uploads with progress, generates a version, trains and cancels', async () => {
  await H.gotoApp(page, server, `/app/${WS}/bridges`, 'project');
  await page.locator('.image-tile').nth(1).waitFor();
  await page.locator('#upload-input').setInputFiles([
    { name: 'upload-a.png', mimeType: 'image/png', buffer: H.png(777) },
    { name: 'upload-b.png', mimeType: 'image/png', buffer: H.png(778) },
  ]);
  await page.locator('.upload-row.upload-done').nth(1).waitFor();
  assert.equal(await page.locator('.upload-row progress').first().evaluate((p) => p.value), 1);
  await page.locator('.image-tile').nth(3).waitFor();
  await page.getByRole('img', { name: 'upload-a.png' }).waitFor();

  await page.getByRole('button', { name: 'Generate version' }).click();
  const v1 = page.locator('[data-version="1"]');
  await v1.getByText('4 images').waitFor();
  const { version } = await H.rest(server, 'GET', `/${WS}/bridges/1`);
  assert.equal(await v1.locator('.version-main time').getAttribute('datetime'), version.createdAt);
  await v1.getByRole('button', { name: 'Train model' }).click();
  await v1.locator('[data-job-state="running"], [data-job-state="queued"]').waitFor();
  await H.screenshot(page, 'project-training');
  // The demo trainer runs 5 s of server clock; move the clock until the job is done.
  for (let i = 0; i < 5; i++) {
    await H.advanceClock(server, 10);
    const { jobs } = await H.rest(server, 'GET', `/${WS}/jobs`);
    if (jobs.some((j) => j.project === 'bridges' && j.state === 'finished')) break;
  }
  await v1.locator('[data-job-state="finished"]').waitFor({ timeout: 20000 });
  await v1.locator('[data-model-state="serving"]').waitFor();
  await H.screenshot(page, 'project');

  await v1.getByRole('button', { name: 'Train again' }).click();
  await v1.getByRole('button', { name: 'Cancel training' }).click();
  await v1.locator('[data-job-state="cancelled"]').waitFor();
});

test('deleting a version asks for its name and the toast can undo it', async () => {
  await H.gotoApp(page, server, `/app/${WS}/bridges`, 'project');
  await page.getByRole('button', { name: 'Delete version v1' }).click();
  const dialog = page.locator('dialog[data-dialog="delete-version"]');
  await dialog.getByLabel(/type the version name/).fill('v1');
  await dialog.getByRole('button', { name: 'Move to Trash' }).click();
  await page.locator('.toast', { hasText: 'Moved to Trash' }).waitFor();
  await page.locator('[data-version="1"]').waitFor({ state: 'detached' });
  const trash = await H.trashItems(server, '?type=version');
  assert.equal(trash.items.length, 1);
  await page.locator('.toast', { hasText: 'Moved to Trash' }).getByRole('button', { name: 'Undo' }).click();
  await page.locator('[data-version="1"]').waitFor();
});

test('deleting a project cancels its training; Undo brings back the serving model, the job stays cancelled', async () => {
  await H.advanceClock(server, 1);
  const { job } = await H.rest(server, 'POST', `/${WS}/bridges/1/train`, {});
  assert.ok(['queued', 'running'].includes(job.state));
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await H.chooseFromMenu(page, 'More actions for project Bridges', 'Delete project…');
  const dialog = page.locator('dialog[data-dialog="delete-project"]');
  await dialog.getByText('Running training jobs are cancelled').waitFor();
  await dialog.getByLabel(/To confirm, type the project ID/).fill('bridges');
  await dialog.getByRole('button', { name: 'Move to Trash' }).click();
  await page.locator('.toast', { hasText: 'Moved to Trash' }).getByRole('button', { name: 'Undo' }).click();
  await page.locator('.toast', { hasText: 'Restored “Bridges”' }).waitFor();
  const after = (await H.rest(server, 'GET', `/${WS}/jobs/${job.id}`)).job;
  assert.equal(after.state, 'cancelled');
  assert.equal(after.cancelReason, 'moved_to_trash');
  await H.gotoApp(page, server, `/app/${WS}/bridges`, 'project');
  const v1 = page.locator('[data-version="1"]');
  await v1.locator('[data-job-state="cancelled"]').waitFor();
  await v1.locator('.version-state').getByText('cancelled by deletion').waitFor();
  assert.match(await v1.locator(`[data-training="${job.id}"]`).textContent(), /cancelled by deletion/, 'the run says it too');
  await v1.locator('[data-model-state="serving"]').waitFor();
});

test('dialogs are keyboard operable: focus moves in, Escape closes, focus returns', async () => {
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  // The card's Delete is in its actions menu: Enter opens it on "Delete project…", Enter again opens the dialog.
  const opener = page.getByRole('button', { name: 'More actions for project Tunnels', exact: true });
  await opener.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menu', { name: 'More actions for project Tunnels' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Delete project…');
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[data-dialog="delete-project"]');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.hasAttribute('data-confirm-input')), true, 'focus starts in the dialog');
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => !!document.activeElement.closest('dialog') || document.activeElement === document.body), true,
      'Tab stays inside the modal dialog');
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'More actions for project Tunnels');
});

test('workflows can be created and moved to the Trash from the workflows page', async () => {
  await H.gotoApp(page, server, `/app/${WS}/workflows`, 'workflows');
  await page.getByRole('button', { name: 'New workflow' }).click();
  const create = page.locator('dialog[data-dialog="new-workflow"]');
  await create.getByLabel('Name').fill('Bridge Inspector');
  await create.getByLabel('URL (optional)').fill('bridge-inspector');
  await create.getByRole('button', { name: 'Create workflow' }).click();
  await page.locator('[data-workflow="bridge-inspector"]').waitFor();
  await H.screenshot(page, 'workflows');
  await page.getByRole('button', { name: 'Delete workflow Bridge Inspector' }).click();
  const dialog = page.locator('dialog[data-dialog="delete-workflow"]');
  await dialog.getByLabel(/type the workflow ID/).fill('bridge-inspector');
  await dialog.getByRole('button', { name: 'Move to Trash' }).click();
  await page.locator('.toast', { hasText: 'Moved to Trash' }).waitFor();
  await page.locator('[data-workflow="bridge-inspector"]').waitFor({ state: 'detached' });
  const trash = await H.trashItems(server, '?type=workflow');
  assert.equal(trash.items[0].name, 'Bridge Inspector');
});

test('Roles: a custom role is created with per-permission checkboxes', async () => {
  await H.gotoApp(page, server, `/app/${WS}/settings/roles`, 'settings');
  const trashGroup = page.locator('[data-role="owner"] fieldset', { hasText: 'Trash' });
  for (const perm of ['view_trash', 'trash_dataset', 'restore_dataset', 'trash_version', 'restore_version', 'trash_workflow', 'restore_workflow']) {
    assert.equal(await trashGroup.locator(`[data-permission="${perm}"]`).isChecked(), true, `owner has ${perm}`);
  }
  await page.getByRole('button', { name: 'New role' }).click();
  const dialog = page.locator('dialog[data-dialog="new-role"]');
  await dialog.getByLabel('Role name').fill('Trash Keeper');
  await dialog.getByLabel(/^view_trash/).check();
  await dialog.getByLabel(/^restore_dataset/).check();
  await H.screenshot(page, 'roles-new');
  await dialog.getByRole('button', { name: 'Create role' }).click();
  await page.getByRole('region', { name: 'Role Trash Keeper' }).waitFor();
  const roles = await H.rest(server, 'GET', `/${WS}/roles`);
  const created = (Array.isArray(roles) ? roles : roles.roles).find((r) => r.name === 'Trash Keeper');
  assert.deepEqual([...created.permissions].sort(), ['restore_dataset', 'view_trash']);
  await H.screenshot(page, 'roles');
});

test('API Keys: a new key is shown once, then listed by prefix and revocable', async () => {
  await H.gotoApp(page, server, `/app/${WS}/settings/api-keys`, 'settings');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const create = page.locator('dialog[data-dialog="create-key"]');
  await create.getByLabel('Name').fill('ci-runner');
  await create.getByRole('button', { name: 'Create key' }).click();
  const shown = page.locator('dialog[data-dialog="new-key"]');
  const key = await shown.locator('[data-new-key]').inputValue();
  assert.match(key, /^lk_/);
  const me = await H.rest(server, 'GET', '/', undefined, { key });
  assert.equal(me.workspace, WS, 'the key works');
  await shown.getByRole('button', { name: 'Done' }).click();
  const row = page.locator('tr', { hasText: 'ci-runner' });
  await row.waitFor();
  assert.equal((await page.content()).includes(key), false, 'the full key is not shown again');
  await H.screenshot(page, 'api-keys');
  await row.getByRole('button', { name: 'Revoke key ci-runner' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await row.waitFor({ state: 'detached' });
  await assert.rejects(H.rest(server, 'GET', '/', undefined, { key }), (e) => e.status === 401);
});

test('Members and Audit Log pages list what the server holds', async () => {
  await H.gotoApp(page, server, `/app/${WS}/settings/members`, 'settings');
  await page.locator(`tr[data-member="${H.OWNER.email}"]`).waitFor();
  await H.screenshot(page, 'members');
  await H.gotoApp(page, server, `/app/${WS}/settings/audit`, 'settings');
  await page.locator('tr[data-action="trash"]').first().waitFor();
  await page.locator('tr[data-action="restore"]').first().waitFor();
});

test('Members: change the role of a member, remove; Roles: edit and delete a custom role', async () => {
  const role = await H.rest(server, 'POST', `/${WS}/roles`, { name: 'Labeler', permissions: ['upload_images'] });
  H.memberAdd(server, { email: 'lena@example.com', name: 'Lena Labeler', password: 'lena password 1', role: role.id });
  await H.gotoApp(page, server, `/app/${WS}/settings/members`, 'settings');
  const row = page.locator('tr[data-member="lena@example.com"]');
  await row.waitFor();
  await row.getByLabel('Role of Lena Labeler').selectOption('member');
  await page.locator('.toast', { hasText: 'Lena Labeler is now' }).waitFor();
  let members = await H.rest(server, 'GET', `/${WS}/members`);
  assert.equal(members.find((m) => m.email === 'lena@example.com').role, 'member');
  await row.getByRole('button', { name: 'Remove' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Remove member' }).click();
  await row.waitFor({ state: 'detached' });
  members = await H.rest(server, 'GET', `/${WS}/members`);
  assert.equal(members.some((m) => m.email === 'lena@example.com'), false);

  await H.gotoApp(page, server, `/app/${WS}/settings/roles`, 'settings');
  const card = page.locator(`[data-role="${role.id}"]`);
  await card.getByLabel(/^view_trash/).check();
  await card.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('.toast', { hasText: 'Saved role' }).waitFor();
  let roles = await H.rest(server, 'GET', `/${WS}/roles`);
  assert.deepEqual([...roles.find((r) => r.id === role.id).permissions].sort(), ['upload_images', 'view_trash']);
  await card.getByRole('button', { name: 'Delete role' }).click();
  await page.locator('dialog').getByRole('button', { name: 'Delete role' }).click();
  await card.waitFor({ state: 'detached' });
  roles = await H.rest(server, 'GET', `/${WS}/roles`);
  assert.equal(roles.some((r) => r.id === role.id), false);
});

test('the workspace switcher moves between workspaces', async () => {
  H.bootstrap(server, 'beta');
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  const switcher = page.getByLabel('Workspace');
  await switcher.selectOption('beta');
  await page.waitForURL('**/app/beta');
  await H.ready(page, 'home');
  await page.getByText('No projects yet').waitFor();
});

test('the owner changes the Trash retention; new deletions get the new cleanup date', async () => {
  await H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
  await page.getByRole('button', { name: 'Change retention' }).click();
  const dialog = page.locator('dialog[data-dialog="retention"]');
  await dialog.getByLabel(/Days/).fill('14');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText('stay here for 14 days').waitFor();
  await H.createWorkflow(server, 'Short Lived', 'short-lived');
  await H.rest(server, 'DELETE', `/${WS}/workflows/short-lived`);
  await H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
  assert.equal(await H.trashRow(page, 'Short Lived').getAttribute('data-days'), '14');
  await H.rest(server, 'PATCH', `/${WS}`, { retentionDays: 30 });
});

test('the main pages pass automated accessibility checks (axe-core, WCAG 2.1 AA)', async () => {
  await H.trashProject(server, 'bridges', true);
  const pages = [
    [`/app/${WS}`, 'home'],
    [`/app/${WS}/workflows`, 'workflows'],
    [`/app/${WS}/settings/trash`, 'settings'],
    [`/app/${WS}/settings/roles`, 'settings'],
    [`/app/${WS}/settings/members`, 'settings'],
    [`/app/${WS}/settings/api-keys`, 'settings'],
    [`/app/${WS}/settings/audit`, 'settings'],
    [`/app/${WS}/tunnels`, 'project'],
  ];
  const found = [];
  for (const [route, name] of pages) {
    await H.gotoApp(page, server, route, name);
    for (const v of await H.accessibilityViolations(page)) found.push({ route, ...v });
  }
  await H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
  await H.trashRow(page, 'Bridges').waitFor();
  await page.getByRole('button', { name: 'More actions for project Bridges', exact: true }).click();
  await page.getByRole('menu', { name: 'More actions for project Bridges' }).waitFor();
  for (const v of await H.accessibilityViolations(page)) found.push({ route: 'row menu', ...v });
  await page.getByRole('menuitem', { name: 'Delete permanently…' }).click();
  await page.locator('dialog[data-dialog="delete-permanently"]').waitFor();
  for (const v of await H.accessibilityViolations(page)) found.push({ route: 'delete dialog', ...v });
  await page.keyboard.press('Escape');
  assert.deepEqual(found, []);
  await H.rest(server, 'POST', `/${WS}/trash/restore`, { type: 'project', id: (await H.trashItems(server, '?type=project')).items.find((i) => i.url === 'bridges').id });
});

test('pages stay readable at phone width', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await H.trashProject(server, 'tunnels', true);
    await H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
    await H.trashRow(page, 'Tunnels').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    await H.screenshot(page, 'phone-trash');
    for (const [route, name, shot] of [[`/app/${WS}`, 'home', 'phone-home'], [`/app/${WS}/ships`, 'project', 'phone-project'],
      [`/app/${WS}/settings/members`, 'settings', 'phone-members'], [`/app/${WS}/settings/roles`, 'settings', 'phone-roles'],
      [`/app/${WS}/settings/api-keys`, 'settings', 'phone-api-keys'], [`/app/${WS}/workflows`, 'workflows', 'phone-workflows']]) {
      await H.gotoApp(page, server, route, name);
      const width = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(width <= 1, `${route}: no horizontal scrolling (overflow ${width}px)`);
      await H.screenshot(page, shot);
    }
  } finally {
    await page.setViewportSize({ width: 1280, height: 860 });
  }
});

test('Log out ends the session', async () => {
  await H.gotoApp(page, server, `/app/${WS}`, 'home');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/app\/login/);
  await page.goto(`${server.url}/app/${WS}/settings/trash`);
  await page.waitForURL(/\/app\/login\?next=/);
  assert.equal((await page.evaluate(() => fetch('/app/api/session').then((r) => r.status))), 401);
});
