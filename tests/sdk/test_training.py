"""Training jobs and models through the SDK, and what the Trash does to them (T3, T4)."""

from __future__ import annotations

import time

import pytest

import limbo
from conftest import WORKSPACE, unique_png

TRAIN_SECONDS = 5  # the fixture runs limbod with --demo-train-seconds 5


def trained_project(ws, slug):
    project = ws.create_project("Training " + slug, "object-detection", "x", url=slug)
    project.upload(unique_png(), name="a.png")
    return project, project.generate_version()


def wait_for(ws, server, job_id, states, advance=1.0, attempts=30):
    """Moves the server clock until the job reaches one of ``states``; returns the job."""
    for _ in range(attempts):
        job = ws.job(job_id)
        if job.state in states:
            return job
        server.advance(advance)
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stayed {job.state}")


def test_train_and_cancel_by_the_user(ws, slug):
    _, version = trained_project(ws, slug)
    with pytest.raises(limbo.ConflictError) as info:
        version.cancel_training()  # nothing to cancel yet
    assert info.value.status == 409
    job = version.train()
    assert job.id and job.state in ("queued", "running") and job.active
    assert job.project == slug and job.version == version.number
    assert job.id in [j.id for j in ws.jobs()]
    with pytest.raises(limbo.ConflictError) as info:
        version.train()
    assert info.value.status == 409 and info.value.code == "job_active"

    cancelled = version.cancel_training()
    assert cancelled.id == job.id and cancelled.state == "cancelled"
    assert cancelled.cancel_reason == "user" and not cancelled.active
    assert version.train().id != job.id


def test_a_finished_job_leaves_a_serving_model(server, ws, slug):
    _, version = trained_project(ws, slug)
    job = version.train()
    job = wait_for(ws, server, job.id, ("finished", "failed"), advance=TRAIN_SECONDS)
    assert job.state == "finished" and job.credits_used > 0
    model = version.refresh().model
    assert model is not None and model.serving and model.endpoint


def test_trashing_a_version_cancels_its_training(server, ws, slug):
    _, version = trained_project(ws, slug)
    job = version.train()
    server.advance(2)
    version.delete()
    assert job.id not in [j.id for j in ws.jobs()]  # hidden with its version
    with pytest.raises(limbo.NotFoundError):
        ws.job(job.id)

    version.restore()
    stopped = ws.job(job.id)
    assert stopped.state == "cancelled" and stopped.cancel_reason == "moved_to_trash"
    server.advance(30)
    later = ws.job(job.id)
    assert later.state == "cancelled" and later.credits_used == stopped.credits_used  # never grows again


def test_trashing_a_project_cancels_the_training_of_its_versions(server, ws, slug):
    project, version = trained_project(ws, slug)
    job = version.train()
    project.delete()
    project.restore()
    stopped = ws.job(job.id)
    assert stopped.state == "cancelled" and stopped.cancel_reason == "moved_to_trash"
    server.advance(2 * TRAIN_SECONDS)
    assert ws.job(job.id).state == "cancelled"  # restoring does not restart it (T4)


def test_trash_stops_serving_and_restore_brings_the_model_back(server, ws, slug):
    project, version = trained_project(ws, slug)
    job = version.train()
    wait_for(ws, server, job.id, ("finished",), advance=TRAIN_SECONDS)
    endpoint = f"/infer/{WORKSPACE}/{slug}/{version.number}"
    assert server.api("GET", endpoint)[0] == 200

    version.delete()
    status, body, _ = server.api("GET", endpoint)
    assert status == 404 and body["error"]["code"] == "model_not_serving"
    version.restore()
    assert version.refresh().model.serving
    assert server.api("GET", endpoint)[0] == 200

    project.delete()
    assert server.api("GET", endpoint)[0] == 404
    project.restore()
    assert project.version(version.number).model.serving


# Training runs in the Trash (T16) through version.trainings(), delete_training(), restore_training().


def finished_run(server, ws, slug):
    """A version with one finished run; returns (project, version, run)."""
    project, version = trained_project(ws, slug)
    job = version.train()
    wait_for(ws, server, job.id, ("finished",), advance=TRAIN_SECONDS)
    runs = version.trainings()
    assert len(runs) == 1, runs
    return project, version, runs[0]


def test_a_finished_run_moves_to_the_trash_with_its_model_and_back(server, ws, slug):
    project, version, run = finished_run(server, ws, slug)
    assert isinstance(run, limbo.Training) and run.id and run.training_id == run.id
    assert run.status == "finished" and run["trainingId"] == run.id and run.version is version
    endpoint = f"/infer/{WORKSPACE}/{slug}/{version.number}"
    assert server.api("GET", endpoint)[0] == 200

    answer = run.delete()
    assert answer["trainingId"] == run.id and answer["inTrash"] is True and not answer["alreadyInTrash"]
    assert version.trainings() == []
    assert version.refresh().model is None  # it was the version's only finished run
    assert server.api("GET", endpoint)[0] == 404

    items = [i for i in ws.trash(type="training") if i.id == run.id]
    assert len(items) == 1 and items[0].type == "training" and items[0]["type"] == "training"
    assert items[0].restorable and items[0].days_remaining == 30
    assert [i.id for i in ws.trash()["sections"]["trainings"]] == [i.id for i in ws.trash(type="training")]
    assert run.id in [i.id for i in ws.trash()["sections"]["trainings"]]

    assert version.delete_training(run.id)["alreadyInTrash"] is True  # a second delete changes nothing
    restored = run.restore()
    assert restored["trainingId"] == run.id and restored["restored"] is True
    assert [r.id for r in version.trainings()] == [run.id]
    assert version.refresh().model.serving
    assert server.api("GET", endpoint)[0] == 200
    with pytest.raises(limbo.NotFoundError) as info:
        version.restore_training(run.id)
    assert info.value.code == "not_in_trash"


def test_a_run_in_progress_is_refused_and_several_runs_need_an_id(server, ws, slug):
    _, version, first = finished_run(server, ws, slug)
    job = version.train()
    with pytest.raises(limbo.ConflictError) as info:
        version.delete_training(job.id)
    assert info.value.code == "training_in_progress" and "in progress" in info.value.message
    version.cancel_training()

    with pytest.raises(limbo.ConflictError) as info:
        version.delete_training()
    assert "MULTIPLE_TRAININGS" in info.value.message and first.id in info.value.message
    ids = {r.id for r in version.trainings()}
    assert len(ids) == 2 and first.id in ids
    cancelled = next(r for r in version.trainings() if r.id != first.id)
    assert cancelled.status == "cancelled"
    assert cancelled.delete()["inTrash"] is True  # a cancelled run may go to the Trash too
    assert [r.id for r in version.trainings()] == [first.id]
    assert version.delete_training()["trainingId"] == first.id  # now the only run


def test_runs_are_restored_through_the_trash_and_wait_for_their_parents(server, ws, slug):
    project, version, run = finished_run(server, ws, slug)
    run.delete()
    version.delete()
    item = next(i for i in ws.trash(type="training") if i.id == run.id)
    assert item.restorable is False and item.blocked_reason == "parent_in_trash"
    with pytest.raises(limbo.ConflictError) as info:
        ws.restore_from_trash("training", run.id)
    assert info.value.code == "parent_in_trash"

    version.restore()
    item = next(i for i in ws.trash(type="training") if i.id == run.id)
    assert item.restorable is True
    assert item.restore()["restored"] is True
    assert [r.id for r in version.trainings()] == [run.id]

    run.delete()
    assert ws.restore_many([run]).ok
    run.delete()
    project.delete()
    result = ws.restore_all()
    assert ("training", run.id) in {(r["type"], r["id"]) for r in result.restored}, result.failed
    assert [r.id for r in project.version(version.number).trainings()] == [run.id]
