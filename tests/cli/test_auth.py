"""auth login/status/logout, the config file, environment overrides, exit code 2."""

import json
import os
import stat
import subprocess

LIMBO = os.environ.get("LIMBO", "")  # the binary under test (conftest.py checks it is set)


def test_version_and_help_need_no_server(ws):
    result = ws.ok("--version", with_key=False)
    assert result.stdout.startswith("limbo ")
    for noun in ["auth", "workspace", "project", "version", "workflow", "image", "train", "trash", "completion"]:
        assert ws.ok(noun, "--help", with_key=False).stdout.strip()


def test_login_validates_the_key_and_saves_it_with_mode_0600(ws):
    result = ws.ok("auth", "login", "--api-key", ws.api_key, "--api-url", ws.server.url, with_key=False)
    assert ws.name in result.stdout

    path = ws.config_home / "limbo" / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved == {"api_url": ws.server.url, "api_key": ws.api_key}

    status = ws.ok("auth", "status", "--json", with_key=False).json()
    assert status["workspace"] == ws.name
    assert status["apiKeySource"] == "config file"
    assert ws.api_key not in json.dumps(status), "status must not print the whole key"

    # Commands now work with no environment variables at all.
    assert ws.ok("project", "list", "--json", with_key=False).json() == {"projects": []}


def test_login_with_a_wrong_key_exits_2_and_saves_nothing(ws):
    result = ws.run("auth", "login", "--api-key", "lk_wrong", "--api-url", ws.server.url, with_key=False)
    assert result.returncode == 2, str(result)
    assert not (ws.config_home / "limbo" / "config.json").exists()


def test_logout_removes_the_key(ws):
    ws.ok("auth", "login", "--api-key", ws.api_key, "--api-url", ws.server.url, with_key=False)
    ws.ok("auth", "logout", with_key=False)
    saved = json.loads((ws.config_home / "limbo" / "config.json").read_text())
    assert "api_key" not in saved
    result = ws.run("auth", "status", with_key=False)
    assert result.returncode == 2, str(result)


def test_without_any_key_commands_exit_2(ws):
    result = ws.run("project", "list", with_key=False, env={"LIMBO_API_URL": ws.server.url})
    assert result.returncode == 2, str(result)
    assert "limbo auth login" in result.stderr


def test_environment_overrides_the_config_file(ws):
    ws.ok("auth", "login", "--api-key", ws.api_key, "--api-url", ws.server.url, with_key=False)
    bad = ws.run("project", "list", with_key=False, env={"LIMBO_API_KEY": "lk_not_a_key"})
    assert bad.returncode == 2, str(bad)
    unreachable = ws.run("project", "list", with_key=False, env={"LIMBO_API_URL": "http://127.0.0.1:9"})
    assert unreachable.returncode == 1, str(unreachable)
    assert "reach" in unreachable.stderr


def test_xdg_config_home_falls_back_to_home_dot_config(ws):
    env = ws.env(with_key=False)
    del env["XDG_CONFIG_HOME"]
    done = subprocess.run([LIMBO, "auth", "login", "--api-key", ws.api_key, "--api-url", ws.server.url],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (ws.home / ".config" / "limbo" / "config.json").exists()


def test_workspace_list_and_usage(ws):
    listed = ws.ok("workspace", "list", "--json").json()
    assert [w["url"] for w in listed["workspaces"]] == [ws.name]
    assert ws.name in ws.ok("workspace", "list").stdout
    usage = ws.ok("workspace", "usage", "--json").json()
    for key in ["storageBytes", "storageQuotaBytes", "trashItems", "reclaimableBytes"]:
        assert key in usage
    assert "Storage used" in ws.ok("workspace", "usage").stdout


def test_workspace_usage_shows_the_storage_figures_that_add_up(ws, images):
    """docs/TRASH.md "Storage figures": the table shows the same split as --json."""
    ws.project("cats")
    ws.project("dogs")
    ws.ok("image", "upload", *images(2), "--project", "cats")
    ws.ok("image", "upload", *images(1, size=24), "--project", "dogs")
    ws.ok("version", "create", "cats")
    ws.ok("version", "create", "cats")
    ws.ok("version", "delete", "cats/1", "--yes")
    ws.ok("version", "delete", "cats/2", "--yes")
    ws.ok("project", "delete", "cats", "--yes", "--delete-images")
    usage = ws.ok("workspace", "usage", "--json").json()
    assert usage["activeBytes"] + usage["trashOnlyBytes"] == usage["storageBytes"]
    assert 0 < usage["reclaimableBytes"] == usage["trashOnlyBytes"] < usage["storageBytes"]
    assert usage["trashBytes"] == usage["trashOnlyBytes"]
    assert usage["figuresStale"] is False
    table = ws.ok("workspace", "usage").stdout
    lines = {line.split(":")[0].strip(): line.split(":", 1)[1].strip() for line in table.splitlines() if ":" in line}
    assert set(lines) >= {"Storage used", "Active", "Only in the Trash", "Reclaimable"}, table
    assert lines["Active"] != lines["Only in the Trash"], table


def test_another_workspace_is_not_found(ws):
    assert ws.run("project", "list", "--workspace", "no-such-workspace").returncode == 3
    # "acme" exists and has the same owner, but an API key acts only in its own workspace.
    result = ws.run("project", "list", "--workspace", "acme", "--json")
    assert result.returncode == 3, str(result)
    assert result.json()["error"]["status"] == 404


def test_a_member_without_trash_permissions_gets_exit_1_forbidden(ws):
    ws.project("cats")
    member = {"LIMBO_API_KEY": ws.member_key()}
    assert [p["url"] for p in ws.ok("project", "list", "--json", env=member).json()["projects"]] == ["cats"]
    refused = ws.run("project", "delete", "cats", "--yes", "--json", env=member)
    assert refused.returncode == 1, str(refused)
    assert refused.json()["error"]["code"] == "forbidden"
    listing = ws.run("trash", "list", env=member)
    assert listing.returncode == 1, str(listing)
    assert [p["url"] for p in ws.ok("project", "list", "--json").json()["projects"]] == ["cats"]


def test_completion_scripts_are_valid_shell(ws):
    bash = ws.ok("completion", "bash", with_key=False).stdout
    assert "complete" in bash and "restore" in bash
    checked = subprocess.run(["bash", "-n"], input=bash, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    probe = bash + 'COMP_WORDS=(limbo trash re); COMP_CWORD=2; _limbo; echo "${COMPREPLY[@]}"\n' \
                   'COMP_WORDS=(limbo project delete --); COMP_CWORD=3; _limbo; echo "${COMPREPLY[@]}"\n'
    completed = subprocess.run(["bash"], input=probe, capture_output=True, text=True).stdout.splitlines()
    assert completed[0] == "restore"
    assert "--yes" in completed[1].split() and "--delete-images" in completed[1].split()
    zsh = ws.ok("completion", "zsh", with_key=False).stdout
    assert zsh.startswith("#compdef limbo")
    assert ws.run("completion", "fish", with_key=False).returncode == 1
