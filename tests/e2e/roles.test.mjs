// Buttons follow the role: members whose role lacks trash permissions see no Trash actions,
// and the server refuses them anyway.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as H from './helpers.mjs';

const { WS } = H;
const EDITOR = { email: 'editor@example.com', password: 'editor password 1', name: 'Eddie Editor' };
const AUDITOR = { email: 'auditor@example.com', password: 'auditor password 1', name: 'Ada Auditor' };
let server;
let browser;
let page;
let project;

before(async () => {
  server = await H.startServer();
  const editorRole = await H.rest(server, 'POST', `/${WS}/roles`, {
    name: 'Editor', permissions: ['create_project', 'upload_images', 'generate_version', 'train_model', 'manage_workflows'],
  });
  const auditorRole = await H.rest(server, 'POST', `/${WS}/roles`, { name: 'Trash Auditor', permissions: ['view_trash'] });
  H.memberAdd(server, { ...EDITOR, role: editorRole.id });
  H.memberAdd(server, { ...AUDITOR, role: auditorRole.id });
  project = await H.createProject(server, 'Forests', { url: 'forests', images: 1 });
  await H.createVersion(server, 'forests');
  await H.trainToEnd(server, 'forests', 1); // a finished run: Delete on it needs trash_training
  await H.createWorkflow(server, 'Tree Counter', 'tree-counter');
  await H.createProject(server, 'Deserts', { url: 'deserts', images: 1 });
  await H.trashProject(server, 'deserts');
  await H.createWorkflow(server, 'Gone Flow', 'gone-flow');
  await H.rest(server, 'DELETE', `/${WS}/workflows/gone-flow`);
  ({ browser, page } = await H.openBrowser());
});

H.closeSuite(() => ({ server, browser, page }));

async function logout() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/app\/login/);
}

test('a custom role without trash permissions sees no delete or Trash actions anywhere', async () => {
  await H.login(page, server, EDITOR);
  await H.ready(page, 'home');
  await page.locator('[data-project="forests"]').waitFor();
  assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0, 'no Delete on the home page');
  assert.equal(await page.getByRole('button', { name: 'New project' }).count(), 1, 'content actions stay');
  assert.equal(await page.getByRole('link', { name: 'Open the Trash' }).count(), 0);

  await H.gotoApp(page, server, `/app/${WS}/forests`, 'project');
  await page.locator('[data-version="1"]').waitFor();
  await page.locator('[data-runs="1"] [data-training]').waitFor();
  assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0, 'no Delete on the project page, not even for a run');
  assert.equal(await page.getByRole('button', { name: 'Train again' }).count(), 1, 'content actions stay');

  await H.gotoApp(page, server, `/app/${WS}/workflows`, 'workflows');
  await page.locator('[data-workflow="tree-counter"]').waitFor();
  assert.equal(await page.getByRole('button', { name: /Delete/ }).count(), 0, 'no Delete on the workflows page');

  await H.gotoApp(page, server, `/app/${WS}/settings/members`, 'settings');
  const subnav = page.getByRole('navigation', { name: 'Settings' });
  await subnav.getByRole('link', { name: 'Members' }).waitFor();
  assert.equal(await subnav.getByRole('link', { name: 'Trash' }).count(), 0, 'no Trash in the sub-navigation');

  await H.gotoApp(page, server, `/app/${WS}/settings/trash`, 'settings');
  await page.getByText(/does not allow viewing the Trash/).waitFor();
  for (const name of ['Restore', 'Restore All', 'Delete Permanently', 'Empty Trash']) {
    assert.equal(await page.getByRole('button', { name }).count(), 0, `${name} is not offered`);
  }
  await H.screenshot(page, 'trash-no-permission');

  // The server refuses as well: the session may not list the Trash nor trash a project.
  const status = await page.evaluate(async (ws) => {
    const session = await (await fetch('/app/api/session')).json();
    const list = await fetch(`/${ws}/trash`);
    const del = await fetch(`/${ws}/forests`, { method: 'DELETE', headers: { 'X-CSRF-Token': session.csrfToken } });
    return [list.status, del.status];
  }, WS);
  assert.deepEqual(status, [403, 403]);
  await logout();
});

test('a role with only view_trash sees the Trash but no actions on it', async () => {
  await H.login(page, server, { ...AUDITOR, path: `/app/${WS}/settings/trash` });
  await H.ready(page, 'settings');
  const row = H.trashRow(page, 'Deserts');
  await row.waitFor();
  await H.trashRow(page, 'Gone Flow').waitFor();
  assert.equal(await page.locator('input[type="checkbox"]').count(), 0, 'no selection checkboxes');
  for (const name of [/^Restore/, /^Delete/, /Empty Trash/]) {
    assert.equal(await page.getByRole('button', { name }).count(), 0, `${name} is not offered`);
  }
  await H.screenshot(page, 'trash-view-only');
  const status = await page.evaluate(async (ws) => {
    const session = await (await fetch('/app/api/session')).json();
    const headers = { 'X-CSRF-Token': session.csrfToken, 'Content-Type': 'application/json' };
    const restore = await fetch(`/${ws}/trash/restore-all`, { method: 'POST', headers, body: '{}' });
    const empty = await fetch(`/app/api/${ws}/trash/empty`, { method: 'POST', headers, body: JSON.stringify({ confirm: ws }) });
    const restoreBody = await restore.json();
    return { restore: restore.status, restored: (restoreBody.restored || []).length, empty: empty.status };
  }, WS);
  assert.equal(status.restored, 0, 'nothing was restored');
  assert.equal(status.empty, 403);
  assert.equal((await H.trashItems(server)).items.length, 2, 'the Trash is untouched');
  await logout();
});

test('the owner sees every Trash action', async () => {
  await H.login(page, server, { path: `/app/${WS}/settings/trash` });
  await H.ready(page, 'settings');
  await H.trashRow(page, 'Deserts').waitFor();
  for (const name of ['Restore All', 'Empty Trash', 'Restore project Deserts', 'More actions for project Deserts']) {
    assert.equal(await page.getByRole('button', { name, exact: true }).count(), 1, `${name} is offered`);
  }
  await page.getByRole('button', { name: 'More actions for project Deserts', exact: true }).click();
  await page.getByRole('menuitem', { name: 'Delete permanently…' }).waitFor();
  await page.keyboard.press('Escape');
  assert.ok(project.id);
});
