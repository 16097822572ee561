#!/usr/bin/env bash
# install-cli.sh VERSION DEST_DIR: download the prebuilt neosync CLI of
# release VERSION for this machine (linux or darwin, amd64 or arm64), check
# its SHA-256 against the release's checksums file, and install it as
# DEST_DIR/neosync. Nothing is installed when the download or the check
# fails. The GitHub Action runs it; scripts/release-cli.sh makes the assets.
#
#   NEOSYNC_RELEASE_BASE_URL  where releases live [https://github.com/neosyncio/neosync/releases/download];
#                             assets are read from BASE/VERSION/NAME
set -euo pipefail

VERSION=${1:?usage: scripts/install-cli.sh VERSION DEST_DIR}
DEST=${2:?usage: scripts/install-cli.sh VERSION DEST_DIR}
BASE=${NEOSYNC_RELEASE_BASE_URL:-https://github.com/neosyncio/neosync/releases/download}

fail() { echo "install-cli: $*" >&2; exit 1; }
case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) fail "no prebuilt neosync for $(uname -s); build it from source (go build ./cli/cmd/neosync)" ;;
esac
case $(uname -m) in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fail "no prebuilt neosync for $(uname -m); build it from source (go build ./cli/cmd/neosync)" ;;
esac
asset=neosync_${VERSION}_${os}_${arch}.tar.gz
sums=neosync_${VERSION}_checksums.txt

work=$(mktemp -d "${TMPDIR:-/tmp}/neosync-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
for f in "$sums" "$asset"; do
  curl -fsSL --retry 3 -o "$work/$f" "$BASE/$VERSION/$f" ||
    fail "cannot download $BASE/$VERSION/$f (is $VERSION a release with prebuilt CLIs? set build-from-source to build instead)"
done
want=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$work/$sums")
[ -n "$want" ] || fail "$sums has no checksum for $asset"
if command -v sha256sum >/dev/null; then got=$(sha256sum "$work/$asset" | cut -d' ' -f1); else got=$(shasum -a 256 "$work/$asset" | cut -d' ' -f1); fi
[ "$got" = "$want" ] || fail "checksum mismatch for $asset: got $got, the release says $want; not installed"
tar -xzf "$work/$asset" -C "$work" neosync
mkdir -p "$DEST"
install -m 0755 "$work/neosync" "$DEST/neosync"
echo "install-cli: installed neosync $VERSION ($os/$arch, sha256 $got) as $DEST/neosync"
