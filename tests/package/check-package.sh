#!/usr/bin/env bash
# Builds the .deb from this build's binaries (cpack, no rebuild) and checks its install in a scratch root:
# files at their paths with their modes, the maintainer scripts, the systemd unit (systemd-analyze
# verify), the example configuration, man pages and completions that name every flag, and the extracted
# limbod and limbo running with system libraries only. Also checks `cmake --install --prefix`.
# Usage: check-package.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
tmp=$(mktemp -d /tmp/limbo-package-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for f in generated/man/limbod.1 generated/bash/limbod generated/limbod.toml; do
  [[ -f "$build/$f" ]] || fail "$build/$f is missing: build the default target (scripts/build.sh) first"
done

# 1. The package, from the binaries already built.
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(ls "$tmp"/out/limbo_*_*.deb)
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$tmp/control"
dpkg-deb -c "$deb" >"$tmp/contents"

# 2. Files, modes and owners.
expect() {  # PATH MODE
  local path="$root/$1"
  [[ -f "$path" ]] || fail "$1 is not in the package"
  [[ "$(stat -c %a "$path")" == "$2" ]] || fail "$1 has mode $(stat -c %a "$path"), not $2"
  grep -q " root/root .* \./$1\$" "$tmp/contents" || fail "$1 is not owned by root/root in the package"
}
expect usr/bin/limbod 755
expect usr/bin/limbo 755
expect usr/lib/systemd/system/limbod.service 644
expect etc/limbo/limbod.toml 640
expect usr/share/man/man1/limbod.1 644
expect usr/share/man/man1/limbo.1 644
for prog in limbod limbo; do
  expect usr/share/bash-completion/completions/$prog 644
  expect usr/share/zsh/vendor-completions/_$prog 644
done
if grep -v -E '\./(etc|usr)(/|$)' "$tmp/contents" | grep -q .; then fail "files outside /etc and /usr"; fi

# 3. Control data: conffile, dependencies, maintainer scripts that create the user and keep the data.
grep -qx /etc/limbo/limbod.toml "$tmp/control/conffiles" || fail "/etc/limbo/limbod.toml is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
[[ "$depends" == *libc6* && "$depends" == *adduser* ]] || fail "Depends lacks libc6 or adduser: $depends"
for s in postinst prerm postrm; do
  [[ -x "$tmp/control/$s" ]] || fail "$s is missing or not executable"
  sh -n "$tmp/control/$s" || fail "$s is not valid sh"
done
grep -q 'adduser --system --group' "$tmp/control/postinst" || fail "postinst does not create the limbo system user"
if grep -E 'rm .*(/var/lib|deluser|userdel)' "$tmp/control/prerm" "$tmp/control/postrm"; then
  fail "a maintainer script deletes data or the user"
fi

# 3b. The maintainer scripts run, with every command that changes the system replaced by a stub that logs
# its arguments: postinst creates the user and its folder, nothing removes data or the user.
stubs="$tmp/stubs"
mkdir -p "$stubs"
for cmd in adduser useradd install chgrp chmod chown systemctl rm deluser userdel; do
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n' "$cmd" "$tmp/calls" >"$stubs/$cmd"
  chmod +x "$stubs/$cmd"
done
printf '#!/bin/sh\nexit 2\n' >"$stubs/getent"  # no limbo user yet
chmod +x "$stubs/getent"
PATH="$stubs:$PATH" sh "$tmp/control/postinst" configure "" >/dev/null || fail "postinst configure failed"
grep -q '^adduser --system --group .*limbo$' "$tmp/calls" || fail "postinst did not create the limbo user"
if [[ ! -d /var/lib/limbo ]]; then
  grep -q '^install -d -o limbo -g limbo -m 0750 /var/lib/limbo$' "$tmp/calls" || fail "postinst did not create /var/lib/limbo"
fi
for step in "prerm remove" "postrm remove" "postrm purge" "prerm upgrade 0.2.0" "postrm upgrade 0.2.0"; do
  read -r script arg rest <<<"$step"
  PATH="$stubs:$PATH" sh "$tmp/control/$script" "$arg" $rest >/dev/null || fail "$script $arg failed"
done
# The one removal: purge forgets the unit's enablement.
if grep -E '^(rm|deluser|userdel)( |$)' "$tmp/calls" |
   grep -vx 'rm -f /etc/systemd/system/multi-user.target.wants/limbod.service'; then
  fail "a maintainer script removes the data or the user"
fi

# 4. The systemd unit.
unit="$root/usr/lib/systemd/system/limbod.service"
for line in 'User=limbo' 'StateDirectory=limbo' 'ExecStart=/usr/bin/limbod serve --config /etc/limbo/limbod.toml' \
            'ProtectSystem=strict' 'ProtectHome=true' 'NoNewPrivileges=true' 'PrivateTmp=true' \
            'Restart=on-failure' 'KillSignal=SIGTERM' 'WantedBy=multi-user.target'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks $line"
done
if command -v systemd-analyze >/dev/null; then
  # The unit as installed, with ExecStart pointing into the scratch root (this host has no /usr/bin/limbod).
  sed "s|/usr/bin/limbod|$root/usr/bin/limbod|" "$unit" >"$tmp/limbod.service"
  MANPATH="$root/usr/share/man" systemd-analyze verify "$tmp/limbod.service" >"$tmp/verify.log" 2>&1 ||
    { cat "$tmp/verify.log"; fail "systemd-analyze verify"; }
  if [[ -s "$tmp/verify.log" ]]; then cat "$tmp/verify.log"; fail "systemd-analyze verify warned"; fi
else
  # No systemd here: every line is blank, a comment, a [Section] or Key=Value.
  if grep -v -E '^(#.*|\[[A-Za-z]+\]|[A-Za-z]+=.*|)$' "$unit"; then fail "the unit has lines that do not parse"; fi
fi

# 5. The extracted binaries run, linked against system libraries only.
for prog in limbod limbo; do
  bin="$root/usr/bin/$prog"
  "$bin" --version | grep -Eq "^$prog [0-9]+\.[0-9]+\.[0-9]+ \(commit " || fail "$prog --version"
  if ldd "$bin" | grep -q 'not found'; then ldd "$bin"; fail "$prog needs a library the system lacks"; fi
  if readelf -d "$bin" | grep -Eq 'RPATH|RUNPATH'; then fail "$prog has an RPATH"; fi
done

# 6. The example configuration is valid, puts the data in the unit's StateDirectory and names every key.
limbod="$root/usr/bin/limbod"
conf="$root/etc/limbo/limbod.toml"
env -u LIMBO_CONFIG "$limbod" config check --config "$conf" >"$tmp/check.txt" || fail "the example configuration is invalid"
grep -q '^data = "/var/lib/limbo" .*# file ' "$tmp/check.txt" || fail "the example does not set data = /var/lib/limbo"
keys=$(env -u LIMBO_CONFIG "$limbod" serve --help | grep -oE '^  +--[a-z][a-z0-9-]*' | sed 's/ *--//' |
       grep -vxE 'help|help-all|config')
[[ -n "$keys" ]] || fail "no flags in limbod serve --help"
for key in $keys; do
  grep -qE "^(# )?$key = " "$conf" || fail "the example configuration does not document $key"
  grep -qF -- "\\-\\-${key//-/\\-}" "$root/usr/share/man/man1/limbod.1" || fail "limbod.1 does not document --$key"
  grep -q -- "--$key" "$root/usr/share/bash-completion/completions/limbod" || fail "the completion lacks --$key"
done
bash -n "$root/usr/share/bash-completion/completions/limbod" || fail "the bash completion is not valid bash"
bash -c "source '$root/usr/share/bash-completion/completions/limbod'; complete -p limbod" >/dev/null ||
  fail "the bash completion does not register"
if command -v zsh >/dev/null; then zsh -n "$root/usr/share/zsh/vendor-completions/_limbod" || fail "zsh completion"; fi

# 6b. The extracted server runs with the packaged configuration (data moved into the scratch folder by
# a variable, since a variable beats the file), answers /healthz and stops cleanly on SIGTERM.
LIMBO_DATA="$tmp/data" LIMBO_LISTEN=127.0.0.1:0 "$limbod" serve --config "$conf" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q 'listening on' "$tmp/serve.out" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/serve.out" || true)
[[ -n "$url" ]] || { cat "$tmp/serve.err"; kill "$pid"; fail "the packaged limbod did not start"; }
curl -fsS "$url/healthz" >/dev/null || { kill "$pid"; fail "the packaged limbod does not answer /healthz"; }
kill -TERM "$pid"
wait "$pid" || fail "limbod did not exit 0 on SIGTERM"
grep -q '"event":"stopped"' "$tmp/serve.err" || fail "limbod did not log its graceful stop"

# 7. cmake --install into a prefix: the same files under it (the configuration under PREFIX/etc).
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/limbod bin/limbo share/man/man1/limbod.1 share/man/man1/limbo.1 share/bash-completion/completions/limbod \
         share/bash-completion/completions/limbo lib/systemd/system/limbod.service etc/limbo/limbod.toml; do
  [[ -f "$tmp/prefix/$f" ]] || fail "cmake --install --prefix did not install $f"
done
echo "package ok: $(basename "$deb"), $(stat -c %s "$deb") bytes"
