// The Delete dialogs (project, version, training, workflow): type the item's ID, Move to Trash,
// then a "Moved to Trash" toast whose Undo restores it.
import { h, uid, versionLabel, plural } from './dom.js';
import { api, enc } from './api.js';
import { showDialog, toast, errorToast } from './ui.js';

const RESTORE_PERMISSION = { project: 'restore_dataset', version: 'restore_version', training: 'restore_training', workflow: 'restore_workflow' };
const TRASH_PERMISSION = { project: 'trash_dataset', version: 'trash_version', training: 'trash_training', workflow: 'trash_workflow' };

export function canTrash(ctx, type) {
  return ctx.can(TRASH_PERMISSION[type]);
}

function retentionText(retentionDays) {
  const days = retentionDays || 30;
  return `It stays in the workspace Trash for ${plural(days, 'day')} and can be restored until then.`;
}

/**
 * kind: 'project' | 'version' | 'training' | 'workflow'. item: the project / version / training /
 * workflow object; for a version, `project` is its project; for a training (a run as
 * `GET .../v2/trainings` lists it), `project` and `version` are its parents.
 * Resolves true when the item went to the Trash.
 */
export async function deleteFlow(ctx, kind, item, { project = null, version = null, retentionDays = 30, onDeleted, onRestored } = {}) {
  const ws = ctx.ws;
  let confirmText;
  let title;
  let what;
  let path;
  let extra = [];
  let checkbox = null;
  let notes = 'Running training jobs are cancelled and models stop serving.';
  let send = () => api.del(path);
  if (kind === 'project') {
    confirmText = item.url;
    title = `Delete project “${item.name}”?`;
    what = 'the project, its versions and its trained models';
    path = `/${enc(ws)}/${enc(item.url)}`;
    const id = uid('del-images');
    checkbox = h('input', { type: 'checkbox', id, name: 'deleteImages', 'aria-describedby': `${id}-hint` });
    extra = [h('div', { class: 'check-field' },
      checkbox,
      h('div', {},
        h('label', { for: id }, 'Also delete images from Asset Library'),
        h('p', { class: 'hint', id: `${id}-hint` },
          'When the project is permanently removed, its images are removed from the Asset Library too. Images that other projects use are always kept.')))];
  } else if (kind === 'version') {
    confirmText = versionLabel(item);
    title = `Delete version ${versionLabel(item)} of “${project.name}”?`;
    what = 'this version and its trained model';
    path = `/${enc(ws)}/${enc(project.url)}/${enc(item.version)}`;
  } else if (kind === 'training') {
    confirmText = item.trainingId;
    title = `Delete training ${item.trainingId} of “${project.name}” ${versionLabel(version)}?`;
    what = item.modelIds && item.modelIds.length ? 'this training run and its trained model' : 'this training run';
    path = `/${enc(ws)}/${enc(project.url)}/${enc(version.version)}/v2/trainings/delete`;
    send = () => api.post(path, { trainingId: item.trainingId });
    notes = item.versionModel
      ? `Its model is the model of ${versionLabel(version)}: the version then uses the model of its newest remaining finished run, or has none.`
      : 'Its model is not the one the version serves, so serving does not change.';
  } else {
    notes = 'Its endpoint stops answering while it is in the Trash.';
    confirmText = item.url;
    title = `Delete workflow “${item.name}”?`;
    what = 'the workflow and its endpoint';
    path = `/${enc(ws)}/workflows/${enc(item.url)}`;
  }

  const answer = await showDialog({
    name: `delete-${kind}`,
    title,
    description: h('div', {},
      h('p', {}, `This moves ${what} to the Trash. ${retentionText(retentionDays)}`),
      h('p', { class: 'muted' }, notes)),
    content: extra,
    confirmText,
    confirmLabel: kind === 'version' ? 'To confirm, type the version name' : `To confirm, type the ${kind} ID`,
    submitLabel: 'Move to Trash',
    danger: true,
    onSubmit: () => {
      if (kind === 'project' && checkbox.checked) return api.del(`${path}?deleteImages=true`);
      return send();
    },
  });
  if (!answer) return false;

  let restoreRef;
  if (kind === 'project') restoreRef = { type: 'project', id: answer.projectId || item.projectId };
  else if (kind === 'version') restoreRef = { type: 'version', id: String(answer.version || item.version), parentId: answer.projectId || project.projectId };
  else if (kind === 'training') restoreRef = { type: 'training', id: answer.trainingId || item.trainingId };
  else restoreRef = { type: 'workflow', id: answer.workflowId || item.id };

  const canUndo = ctx.can(RESTORE_PERMISSION[kind]);
  toast('Moved to Trash', {
    kind: 'success',
    timeout: 12000,
    action: canUndo ? {
      label: 'Undo',
      onClick: async () => {
        try {
          await api.post(`/${enc(ws)}/trash/restore`, restoreRef);
          const label = kind === 'version' ? versionLabel(item) : kind === 'training' ? `training ${item.trainingId}` : item.name;
          toast(`Restored “${label}”`, { kind: 'success' });
          if (onRestored) onRestored();
        } catch (err) {
          errorToast(err);
        }
      },
    } : null,
  });
  if (onDeleted) onDeleted(answer);
  return true;
}
