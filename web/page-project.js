// /app/:ws/:project — images with upload, versions, training jobs and model serving state.
import { h, plural, timeEl, clear, formatBytes, versionLabel, uid } from './dom.js';
import { api, enc, uploadFile, describeError } from './api.js';
import { pageHeader, button, toast, errorToast, emptyState } from './ui.js';
import { projectTypeName } from './widgets.js';
import { deleteFlow, canTrash } from './delete-flow.js';

const ACTIVE_JOB = new Set(['queued', 'running']);

export async function renderProject(ctx) {
  const { ws, main, signal } = ctx;
  const projectUrl = ctx.params.project;
  let answer;
  try {
    answer = await api.get(`/${enc(ws)}/${enc(projectUrl)}`, { signal });
  } catch (err) {
    if (err.status === 404) {
      main.append(h('div', { class: 'page narrow' },
        h('h1', {}, err.code === 'in_trash' ? 'This project is in the Trash' : 'Project not found'),
        h('p', {}, err.code === 'in_trash'
          ? 'It was deleted. Someone with access to the Trash can restore it.'
          : 'It does not exist in this workspace.'),
        h('p', {}, h('a', { href: `/app/${enc(ws)}` }, 'Back to projects'),
          err.code === 'in_trash' && ctx.can('view_trash') ? [' · ', h('a', { href: `/app/${enc(ws)}/settings/trash` }, 'Open the Trash')] : null)));
      return;
    }
    throw err;
  }
  const workspace = await api.get(`/${enc(ws)}`, { signal }).then((a) => a.workspace || a).catch(() => ({}));
  if (signal.aborted) return;
  const project = answer.project;
  document.title = `${project.name} · Limbo`;

  const state = { project, versions: answer.versions || [], jobs: [], images: [], retentionDays: workspace.retentionDays };
  const imagesSection = h('section', { class: 'card', 'aria-labelledby': 'images-title' });
  const versionsSection = h('section', { class: 'card', 'aria-labelledby': 'versions-title' });

  const page = h('div', { class: 'page' },
    h('nav', { class: 'breadcrumb', 'aria-label': 'Breadcrumb' },
      h('a', { href: `/app/${enc(ws)}` }, 'Projects'), h('span', { 'aria-hidden': 'true' }, ' / '), h('span', { 'aria-current': 'page' }, project.name)),
    pageHeader(project.name, `${projectTypeName(project.type)} · ID ${project.url}`,
      ctx.can('generate_version') ? button('Generate version', () => generateVersion(ctx, state), { variant: 'primary' }) : null,
      canTrash(ctx, 'project') ? button('Delete project', () => deleteFlow(ctx, 'project', project, {
        retentionDays: state.retentionDays,
        onDeleted: () => ctx.navigate(`/app/${enc(ws)}`),
        onRestored: () => ctx.navigate(`/app/${enc(ws)}/${enc(project.url)}`),
      }), { variant: 'ghost-danger' }) : null),
    h('div', { class: 'project-layout' }, imagesSection, versionsSection));
  main.append(page);

  async function reloadImages() {
    const a = await api.get(`/${enc(ws)}/images`, { query: { project: project.url, limit: 100 }, signal });
    state.images = a.images || [];
    state.imagesCursor = a.nextCursor || null;
    renderImages(ctx, state, imagesSection, reloadImages);
  }
  state.loadMoreImages = async () => {
    const a = await api.get(`/${enc(ws)}/images`, { query: { project: project.url, limit: 100, cursor: state.imagesCursor }, signal });
    state.images.push(...(a.images || []));
    state.imagesCursor = a.nextCursor || null;
    renderImages(ctx, state, imagesSection, reloadImages);
  };
  async function reloadVersions() {
    const [p, jobs] = await Promise.all([
      api.get(`/${enc(ws)}/${enc(project.url)}`, { signal }),
      api.get(`/${enc(ws)}/jobs`, { signal }).then((a) => a.jobs || []).catch(() => []),
    ]);
    state.versions = p.versions || [];
    Object.assign(state.project, p.project);
    state.jobs = jobs.filter((j) => j.project === project.url);
    // Each version's runs (those not in the Trash), with whether its model is the version's.
    const trainings = await Promise.all(state.versions.map((v) => {
      const hasJobs = state.jobs.some((j) => Number(j.version) === Number(v.version));
      if (!hasJobs) return [];
      return api.get(`/${enc(ws)}/${enc(project.url)}/${enc(v.version)}/v2/trainings`, { signal })
        .then((a) => a.trainings || []).catch(() => []);
    }));
    state.trainings = new Map(state.versions.map((v, i) => [Number(v.version), trainings[i]]));
    rerenderVersions();
  }
  let pollTimer = null;
  function rerenderVersions() {
    renderVersions(ctx, state, versionsSection, reloadVersions);
    clearTimeout(pollTimer);
    if (state.jobs.some((j) => ACTIVE_JOB.has(j.state)) && !signal.aborted) {
      pollTimer = setTimeout(() => reloadVersions().catch(() => {}), 2000);
    }
  }
  signal.addEventListener('abort', () => clearTimeout(pollTimer));
  state.reloadVersions = reloadVersions;
  await Promise.all([reloadImages(), reloadVersions()]);
}

function renderImages(ctx, state, section, reload) {
  clear(section);
  const canUpload = ctx.can('upload_images');
  const input = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden', id: 'upload-input', tabindex: '-1', 'aria-hidden': 'true' });
  if (!state.progressList) state.progressList = h('ul', { class: 'upload-list', 'aria-live': 'polite', 'aria-label': 'Uploads' });
  const progressList = state.progressList;
  const startUpload = (files) => upload(ctx, state, [...files], progressList, reload);
  input.addEventListener('change', () => {
    if (input.files.length) startUpload(input.files);
    input.value = '';
  });
  section.append(h('div', { class: 'card-head' },
    h('h2', { id: 'images-title', class: 'card-title' }, 'Images ', h('span', { class: 'count' }, String(Math.max(Number(state.project.images) || 0, state.images.length)))),
    canUpload ? button([h('span', {}, 'Upload images')], () => input.click(), { variant: 'primary', small: true, 'data-upload-button': true }) : null));
  if (canUpload) {
    const drop = h('div', { class: 'dropzone' }, h('p', { class: 'muted' }, 'Drop image files here, or use Upload images. PNG, JPEG, GIF or BMP.'));
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('dragging');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('dragging');
      if (e.dataTransfer && e.dataTransfer.files.length) startUpload(e.dataTransfer.files);
    });
    section.append(input, drop, progressList);
  }
  if (state.images.length === 0) {
    section.append(emptyState('No images', canUpload ? 'Upload images to build your dataset.' : null));
    return;
  }
  section.append(h('ul', { class: 'image-grid' }, state.images.map((img) => h('li', { class: 'image-tile' },
    h('img', { src: `/${enc(ctx.ws)}/images/${enc(img.id)}/content`, alt: img.name || img.id, loading: 'lazy', width: img.width || null, height: img.height || null }),
    h('span', { class: 'image-name', title: img.name }, img.name),
    h('span', { class: 'muted small' }, img.width && img.height ? `${img.width}×${img.height} · ` : '', formatBytes(img.sizeBytes))))));
  if (state.imagesCursor) {
    section.append(h('div', { class: 'load-more' }, button('Load more images', async (e) => {
      e.currentTarget.disabled = true;
      try {
        await state.loadMoreImages();
      } catch (err) {
        errorToast(err);
      }
    })));
  }
}

async function upload(ctx, state, files, list, reload) {
  let ok = 0;
  for (const file of files) {
    const bar = h('progress', { max: 1, value: 0, 'aria-label': `Uploading ${file.name}` });
    const status = h('span', { class: 'upload-status muted small' }, 'Waiting…');
    const row = h('li', { class: 'upload-row' }, h('span', { class: 'upload-name' }, file.name), bar, status);
    list.append(row);
    try {
      status.textContent = '0%';
      const answer = await uploadFile(ctx.ws, state.project.url, file, (f) => {
        bar.value = f;
        status.textContent = `${Math.round(f * 100)}%`;
      });
      status.textContent = answer && answer.duplicate ? 'Already in the Asset Library, linked' : 'Done';
      row.classList.add('upload-done');
      ok += 1;
    } catch (err) {
      status.textContent = describeError(err);
      row.classList.add('upload-failed');
    }
  }
  if (ok) {
    toast(`Uploaded ${plural(ok, 'image')}`, { kind: 'success' });
    await state.reloadVersions().catch(() => {});
    await reload();
  }
}

async function generateVersion(ctx, state) {
  try {
    const a = await api.post(`/${enc(ctx.ws)}/${enc(state.project.url)}/versions`, {});
    const v = a.version || a;
    toast(`Generated version ${versionLabel(v)}`, { kind: 'success' });
    await state.reloadVersions();
  } catch (err) {
    errorToast(err);
  }
}

function jobBadge(job) {
  if (!job) return h('span', { class: 'badge' }, 'Not trained');
  const labels = { queued: 'Queued', running: 'Training', finished: 'Trained', failed: 'Failed', cancelled: 'Cancelled' };
  return h('span', { class: `badge badge-${job.state}`, 'data-job-state': job.state }, labels[job.state] || job.state);
}

function renderVersions(ctx, state, section, reload) {
  clear(section);
  section.append(h('div', { class: 'card-head' },
    h('h2', { id: 'versions-title', class: 'card-title' }, 'Versions ', h('span', { class: 'count' }, String(state.versions.length)))));
  if (state.versions.length === 0) {
    section.append(emptyState('No versions', ctx.can('generate_version') ? 'Generate a version to freeze the current images and train a model.' : null));
    return;
  }
  const versions = [...state.versions].sort((a, b) => Number(b.version) - Number(a.version));
  const list = h('ul', { class: 'version-list' });
  for (const v of versions) {
    const jobs = state.jobs.filter((j) => Number(j.version) === Number(v.version))
      .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
    const job = jobs[0] || null;
    const active = job && ACTIVE_JOB.has(job.state);
    const model = v.model;
    const actions = [];
    if (ctx.can('train_model')) {
      if (active) {
        actions.push(button('Cancel training', () => cancelTraining(ctx, state, v, reload), { small: true }));
      } else {
        actions.push(button(job ? 'Train again' : 'Train model', () => startTraining(ctx, state, v, reload), { small: true }));
      }
    }
    if (canTrash(ctx, 'version')) {
      actions.push(button('Delete', () => deleteFlow(ctx, 'version', v, {
        project: state.project, retentionDays: state.retentionDays, onDeleted: () => reload(), onRestored: () => reload(),
      }), { small: true, variant: 'ghost-danger', 'aria-label': `Delete version ${versionLabel(v)}` }));
    }
    list.append(h('li', { class: 'version-row', 'data-version': String(v.version) },
      h('div', { class: 'version-main' },
        h('h3', { class: 'version-name' }, versionLabel(v)),
        h('p', { class: 'muted small' }, plural(Number(v.images) || 0, 'image'), ' · created ', timeEl(v.createdAt))),
      h('div', { class: 'version-state' },
        jobBadge(job),
        job ? h('span', { class: 'muted small', 'data-credits': true }, `${Number(job.creditsUsed || 0).toFixed(1)} credits`) : null,
        job && job.state === 'cancelled' && job.cancelReason === 'moved_to_trash' ? h('span', { class: 'muted small' }, 'cancelled by deletion') : null,
        model ? h('span', { class: `badge badge-model-${model.state}`, 'data-model-state': model.state },
          model.state === 'serving' ? 'Model serving' : 'Model stopped') : null,
        model && model.state === 'serving' && model.endpoint ? h('code', { class: 'endpoint' }, model.endpoint) : null),
      h('div', { class: 'version-actions' }, actions),
      renderRuns(ctx, state, v, (state.trainings && state.trainings.get(Number(v.version))) || [], reload)));
  }
  section.append(list);
}

const RUN_LABELS = { queued: 'Queued', running: 'Training', finished: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/** The version's training runs: status, start, whether its model is the version's, and Delete. */
function renderRuns(ctx, state, v, runs, reload) {
  if (!runs.length) return null;
  const project = state.project;
  const canDelete = ctx.can('trash_training');
  const titleId = uid('runs');
  const sorted = [...runs].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  return h('div', { class: 'runs', 'data-runs': String(v.version) },
    h('h4', { class: 'runs-title', id: titleId }, `Training runs of ${versionLabel(v)} `, h('span', { class: 'count' }, String(runs.length))),
    h('ul', { class: 'run-list', 'aria-labelledby': titleId }, sorted.map((run) => {
      const active = ACTIVE_JOB.has(run.status);
      const reasonId = uid('run-reason');
      const who = `training ${run.trainingId} of ${project.name} ${versionLabel(v)}`;
      let action = null;
      if (canDelete) {
        action = active
          ? button('Delete', null, {
            small: true, variant: 'ghost-danger', disabled: true, 'aria-label': `Delete ${who}`, 'aria-describedby': reasonId, 'data-action': 'delete-training',
          })
          : button('Delete', () => deleteFlow(ctx, 'training', run, {
            project, version: v, retentionDays: state.retentionDays, onDeleted: () => reload(), onRestored: () => reload(),
          }), { small: true, variant: 'ghost-danger', 'aria-label': `Delete ${who}`, 'data-action': 'delete-training' });
      }
      const startIso = run.startedAt || run.createdAt || (run.start ? new Date(run.start * 1000).toISOString() : null);
      return h('li', { class: 'run-row', 'data-training': run.trainingId, 'data-status': run.status },
        h('div', { class: 'run-main' },
          h('code', { class: 'run-id' }, run.trainingId),
          h('span', { class: `badge badge-${run.status}`, 'data-run-status': run.status }, RUN_LABELS[run.status] || run.status),
          run.versionModel ? h('span', { class: 'badge badge-model-serving', 'data-version-model': true }, 'Version’s model') : null),
        h('p', { class: 'run-meta muted small' },
          'started ', timeEl(startIso),
          ` · ${Number(run.creditsUsed || 0).toFixed(1)} credits`,
          run.modelBytes ? ` · model ${formatBytes(run.modelBytes)}` : '',
          run.status === 'cancelled' && run.cancelReason === 'moved_to_trash' ? ' · cancelled by deletion' : ''),
        active && canDelete ? h('p', { class: 'run-reason muted small', id: reasonId }, 'In progress — cancel it first') : null,
        action ? h('div', { class: 'run-actions' }, action) : null);
    })));
}

async function startTraining(ctx, state, v, reload) {
  try {
    await api.post(`/${enc(ctx.ws)}/${enc(state.project.url)}/${enc(v.version)}/train`, {});
    toast(`Training started for ${versionLabel(v)}`, { kind: 'success' });
  } catch (err) {
    errorToast(err);
  }
  await reload().catch(() => {});
}

async function cancelTraining(ctx, state, v, reload) {
  try {
    await api.post(`/${enc(ctx.ws)}/${enc(state.project.url)}/${enc(v.version)}/train/cancel`, {});
    toast(`Training cancelled for ${versionLabel(v)}`);
  } catch (err) {
    errorToast(err);
  }
  await reload().catch(() => {});
}

