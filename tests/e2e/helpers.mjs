// Test harness: a real limbod on a free port with --dev-clock, its REST API for setting up data,
// and Debian's Chromium driven by playwright-core. With LIMBO_TEST_DB set (postgresql://...), each
// server keeps its metadata in a PostgreSQL database of its own, dropped when the server stops.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { after, afterEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.join(here, 'artifacts');
export const OWNER = { email: 'owner@example.com', password: 'correct horse battery' };
export const WS = 'acme';

export function limbodPath() {
  const bin = process.env.LIMBOD;
  if (!bin) throw new Error('Set LIMBOD to the path of the limbod binary.');
  return bin;
}

const TEST_DB = process.env.LIMBO_TEST_DB || '';

function psql(url, sql) {
  return execFileSync('psql', [url, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8', timeout: 60000 }).trim();
}

/** The URL of a PostgreSQL database of the data folder's own (named as the integration tests name it). */
function databaseFor(dataDir) {
  const name = 'limbo_' + crypto.createHash('sha1').update(fs.realpathSync(dataDir)).digest('hex').slice(0, 20);
  if (psql(TEST_DB, `SELECT 1 FROM pg_database WHERE datname = '${name}'`) !== '1') psql(TEST_DB, `CREATE DATABASE "${name}"`);
  const url = new URL(TEST_DB);
  url.pathname = '/' + name;
  return url.toString();
}

function dropDatabase(url) {
  const name = new URL(url).pathname.slice(1);
  psql(TEST_DB, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

/** Runs `limbod bootstrap` on the server's storage: a workspace owned by OWNER; answers its API key. */
export function bootstrap(server, workspace) {
  const out = execFileSync(limbodPath(), ['bootstrap', ...server.storage, '--workspace', workspace, '--email', OWNER.email,
    '--password', OWNER.password], { encoding: 'utf8', timeout: 60000 });
  const line = out.trim().split('\n').filter((l) => l.trim().startsWith('{')).pop();
  return JSON.parse(line).apiKey;
}

/** Runs `limbod member add` (the API only invites): a member with a password, as an operator adds one. */
export function memberAdd(server, { email, password, name, role = 'member', workspace = WS }) {
  const args = ['member', 'add', ...server.storage, '--workspace', workspace, '--email', email, '--password', password,
    '--role', role, ...(name ? ['--name', name] : [])];
  return JSON.parse(execFileSync(limbodPath(), args, { encoding: 'utf8', timeout: 60000 }).trim());
}

/** Bootstraps a fresh data directory and serves it; resolves once limbod says where it listens. */
export async function startServer({ demoTrainSeconds = 5 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'limbo-e2e-'));
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const db = TEST_DB ? databaseFor(dataDir) : '';
  const storage = ['--data', dataDir, ...(db ? ['--db', db] : [])];
  try {
    return await serve({ dir, dataDir, db, storage }, demoTrainSeconds);
  } catch (e) {
    if (db) dropDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function serve({ dir, dataDir, db, storage }, demoTrainSeconds) {
  const apiKey = bootstrap({ storage }, WS);
  const proc = spawn(limbodPath(), ['serve', ...storage, '--listen', '127.0.0.1:0', '--dev-clock', '--demo-train-seconds', String(demoTrainSeconds)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = [];
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`limbod did not start in time:\n${logs.join('')}`));
    }, 30000);
    let buffer = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      logs.push(text);
      buffer += text;
      const m = buffer.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c) => logs.push(c.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`limbod exited with ${code}:\n${logs.join('')}`));
    });
  });
  proc.removeAllListeners('exit');
  proc.stdout.on('data', (c) => logs.push(c.toString()));
  if (db && fs.existsSync(path.join(dataDir, 'limbo.db'))) {
    proc.kill('SIGKILL');
    throw new Error('limbod made a SQLite database despite --db');
  }
  const server = {
    url, apiKey, dir, dataDir, db, storage, proc, logs,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      if (db) dropDatabase(db);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** REST call with the bootstrap API key (or another key). Throws with status and code on errors. */
export async function rest(server, method, route, body, { key = server.apiKey, raw = null, contentType } = {}) {
  const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
  let payload;
  if (raw) {
    payload = raw;
    headers['Content-Type'] = contentType || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(server.url + route, { method, headers, body: payload });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) {
    const err = new Error(`${method} ${route} → ${res.status} ${text}`);
    err.status = res.status;
    err.code = data && data.error && data.error.code;
    throw err;
  }
  return data;
}

export const advanceClock = (server, seconds) => rest(server, 'POST', '/_dev/clock', { advanceSeconds: seconds });

let crcTable = null;
function crc32(buf) {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A valid RGB PNG whose pixels depend on `seed`, so each seed is a distinct image. */
export function png(seed, width = 48, height = 32) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows = [];
  let s = (seed * 2654435761) >>> 0;
  const base = [(s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const stripe = ((x >> 3) + (y >> 3)) % 2;
      row[1 + x * 3] = (base[0] + stripe * 60 + y) & 0xff;
      row[2 + x * 3] = (base[1] + x * 2) & 0xff;
      row[3 + x * 3] = (base[2] + stripe * 90) & 0xff;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

let seedCounter = 1000;
export async function createProject(server, name, { url, group, images = 0 } = {}) {
  const body = { name, type: 'object-detection', annotation: 'objects' };
  if (url) body.url = url;
  if (group) body.group = group;
  const project = await rest(server, 'POST', `/${WS}/projects`, body); // the bare project
  for (let i = 0; i < images; i++) {
    seedCounter += 1;
    await rest(server, 'POST', `/${WS}/${project.url}/upload?name=${project.url}-${i}.png`, undefined, { raw: png(seedCounter), contentType: 'image/png' });
  }
  return project;
}

export async function createVersion(server, projectUrl) {
  const { version } = await rest(server, 'POST', `/${WS}/${projectUrl}/versions`, {});
  return version;
}

export async function createWorkflow(server, name, url) {
  const { workflow } = await rest(server, 'POST', `/${WS}/workflows`, { name, url, config: { steps: [] } });
  return workflow;
}

/** Starts a training run of a version and moves the server clock until the demo trainer finished it. */
export async function trainToEnd(server, projectUrl, version) {
  const { job } = await rest(server, 'POST', `/${WS}/${projectUrl}/${version}/train`, {});
  await finishRun(server, job.id);
  return job;
}

/** Moves the server clock until the run is no longer queued or running. */
export async function finishRun(server, jobId) {
  for (let i = 0; i < 20; i++) {
    const { job } = await rest(server, 'GET', `/${WS}/jobs/${jobId}`);
    if (job.state === 'finished' || job.state === 'failed' || job.state === 'cancelled') return job;
    await rest(server, 'POST', '/_dev/clock', { advanceSeconds: 10 });
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`training ${jobId} did not finish`);
}

export const trainings = async (server, projectUrl, version) =>
  (await rest(server, 'GET', `/${WS}/${projectUrl}/${version}/v2/trainings`)).trainings;

export const trashProject = (server, url, deleteImages = false) =>
  rest(server, 'DELETE', `/${WS}/${url}${deleteImages ? '?deleteImages=true' : ''}`);

export async function launchBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'limbo-e2e-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  context.setDefaultTimeout(15000);
  const errors = [];
  context.on('weberror', (e) => errors.push(String(e.error())));
  return {
    context,
    errors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a fresh page that fails the test on CSP violations and script errors. */
export async function newPage(browser) {
  const page = await browser.context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) page.problems.push(`csp: ${m.text()}`);
  });
  return page;
}

/** The browser and page of a test file, launched in its `before` (after any seeding of the server). */
export async function openBrowser() {
  const browser = await launchBrowser();
  return { browser, page: await newPage(browser) };
}

/**
 * What every test file ends with: each test leaves no script error or CSP violation on the page,
 * and after the last one the browser and the server close. `current` returns them as the file holds
 * them (its `before` sets them).
 */
export function closeSuite(current) {
  afterEach(() => {
    assert.deepEqual(current().page.problems, [], 'no script errors or CSP violations');
  });
  after(async () => {
    const { browser, server } = current();
    if (browser) await browser.close();
    if (server) await server.stop();
  });
}

export async function login(page, server, { email = OWNER.email, password = OWNER.password, path: target = `/app/${WS}` } = {}) {
  await page.goto(server.url + target);
  await page.waitForURL(/\/app\/login/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/app/login'));
}

/** Waits until the current route finished rendering (main[data-ready]). */
export async function ready(page, name) {
  await page.locator(name ? `main[data-ready="${name}"]` : 'main[data-ready]').waitFor();
}

/**
 * Opens a page after the server clock jumped: sessions last 7 days of server time, so the app may
 * send the browser to the login page first, and back afterwards.
 */
export async function gotoAfterClockJump(page, server, route, name, who = OWNER) {
  await page.goto(server.url + route);
  const login = page.getByRole('button', { name: 'Log in' });
  await Promise.race([page.locator('main[data-ready]').waitFor(), login.waitFor()]);
  if (await login.count()) {
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await login.click();
  }
  await ready(page, name);
}

export async function gotoApp(page, server, route, name) {
  await page.goto(server.url + route);
  await ready(page, name);
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens the actions menu named `menuLabel` ("More actions for project Bridges") and picks `item`. */
export async function chooseFromMenu(page, menuLabel, item) {
  await page.getByRole('button', { name: menuLabel, exact: true }).click();
  await page.getByRole('menu', { name: menuLabel }).getByRole('menuitem', { name: item }).click();
}

export function trashRow(page, name) {
  return page.locator(`tr.trash-row[data-name="${name}"]`);
}

export async function trashItems(server, query = '') {
  return rest(server, 'GET', `/${WS}/trash${query}`);
}

const axeSource = fs.readFileSync(path.join(here, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2 A/AA rules) on the current page and answers the serious and critical
 * violations. The script is evaluated through the debugging protocol, so the page's CSP still holds.
 */
export async function accessibilityViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
