#!/usr/bin/env bash
# make test-release: scripts/release-cli.sh builds checksummed archives and
# scripts/install-cli.sh (what action.yml runs) installs them from a local
# HTTP server as it would from a GitHub release; a tampered archive, a
# checksums file without the platform and a missing release are refused
# and install nothing. Builds for this machine and one other platform (all
# four would only repeat the cross-compilation).
set -euo pipefail
cd "$(dirname "$0")/.."
T=$(mktemp -d "${TMPDIR:-/tmp}/neosync-release-test.XXXXXX")
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail() { echo "test-release: FAIL: $*" >&2; exit 1; }

os=$(go env GOOS) arch=$(go env GOARCH)
other=linux/arm64
[ "$os/$arch" = linux/arm64 ] && other=linux/amd64
V=v0.0.0-test.$$
NEOSYNC_RELEASE_TARGETS="$os/$arch $other" scripts/release-cli.sh "$V" "$T/srv/$V" >"$T/release.log" 2>&1 ||
  { cat "$T/release.log"; fail "release-cli.sh failed"; }
for p in "$os/$arch" "$other"; do
  [ -s "$T/srv/$V/neosync_${V}_${p%/*}_${p#*/}.tar.gz" ] || fail "no archive for $p"
done
(cd "$T/srv/$V" && sha256sum -c --quiet "neosync_${V}_checksums.txt") || fail "the checksums file does not match the archives"
[ "$(wc -l <"$T/srv/$V/neosync_${V}_checksums.txt")" -eq 2 ] || fail "checksums file: want 2 lines"
# The other platform's binary is that platform's.
tar -xzf "$T/srv/$V/neosync_${V}_linux_${other#linux/}.tar.gz" -C "$T" neosync
file_arch=$(go version -m "$T/neosync" | awk '$2 == "GOARCH" || $1 == "build" && $2 ~ /^GOARCH=/ { sub("GOARCH=", "", $2); print $NF }' | tail -1)
[ "$file_arch" = "${other#linux/}" ] || fail "the $other archive holds a binary built for ${file_arch:-?}"
rm "$T/neosync"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$T/srv" >"$T/http.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.2; done
export NEOSYNC_RELEASE_BASE_URL=http://127.0.0.1:$port

# 1. A good release installs, and the binary says its version.
scripts/install-cli.sh "$V" "$T/bin" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "install of a good release failed"; }
out=$("$T/bin/neosync" --version) && [[ $out == "neosync $V "* ]] || fail "the installed neosync does not report $V: $out"

# 2. A tampered archive is refused and nothing is installed.
asset="$T/srv/$V/neosync_${V}_${os}_${arch}.tar.gz"
cp "$asset" "$T/good.tar.gz"
printf 'x' >>"$asset"
if scripts/install-cli.sh "$V" "$T/bin2" >"$T/bad.log" 2>&1; then fail "a tampered archive was installed"; fi
grep -q "checksum mismatch for neosync_${V}_${os}_${arch}.tar.gz" "$T/bad.log" || { cat "$T/bad.log"; fail "the refusal does not name the checksum"; }
[ ! -e "$T/bin2/neosync" ] || fail "a tampered archive left a binary behind"
cp "$T/good.tar.gz" "$asset"

# 3. A checksums file without this platform's line is refused.
grep -v "_${os}_${arch}.tar.gz" "$T/srv/$V/neosync_${V}_checksums.txt" >"$T/sums" && cp "$T/sums" "$T/srv/$V/neosync_${V}_checksums.txt"
if scripts/install-cli.sh "$V" "$T/bin3" >"$T/nosum.log" 2>&1; then fail "an archive without a checksum was installed"; fi
grep -q "has no checksum for" "$T/nosum.log" || { cat "$T/nosum.log"; fail "the refusal does not say the checksum is missing"; }

# 4. A version without a release says so.
if scripts/install-cli.sh v9.9.9-none "$T/bin4" >"$T/none.log" 2>&1; then fail "a missing release was installed"; fi
grep -q "cannot download" "$T/none.log" || { cat "$T/none.log"; fail "the refusal does not say the download failed"; }
echo "test-release: ok (release $V for $os/$arch and $other: build, checksums, install, tampered/missing refused)"
