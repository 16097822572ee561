#!/usr/bin/env bash
# release-cli.sh VERSION [OUT_DIR]: build the neosync CLI for every release
# platform and write, in OUT_DIR (default dist/VERSION):
#
#   neosync_VERSION_OS_ARCH.tar.gz   the binary `neosync` (static, -trimpath)
#   neosync_VERSION_checksums.txt    SHA-256 of each archive, sha256sum format
#
# Upload both to the GitHub release tagged VERSION: action.yml (through
# scripts/install-cli.sh) downloads the archive of the runner's platform and
# refuses it unless its SHA-256 matches the checksums file.
# NEOSYNC_RELEASE_TARGETS ("os/arch ...") narrows the platforms (tests).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${1:?usage: scripts/release-cli.sh VERSION [OUT_DIR]}
case $VERSION in
  */* | *' '* | '') echo "release-cli: version $VERSION must be a plain tag such as v1.2.3" >&2; exit 2 ;;
esac
OUT=${2:-dist/$VERSION}
TARGETS=${NEOSYNC_RELEASE_TARGETS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
PKG=github.com/neosyncio/neosync/backend/pkg/buildinfo
LDFLAGS="-s -w -X $PKG.Version=$VERSION -X $PKG.Commit=$COMMIT -X $PKG.Date=$DATE"

sha256() { if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/neosync-release.XXXXXX")
trap 'rm -rf "$work"' EXIT
assets=()
for target in $TARGETS; do
  os=${target%/*} arch=${target#*/}
  asset=neosync_${VERSION}_${os}_${arch}.tar.gz
  echo "release-cli: building $asset"
  mkdir -p "$work/$os-$arch"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "$LDFLAGS" -o "$work/$os-$arch/neosync" ./cli/cmd/neosync
  # A reproducible archive: fixed owner, order and times.
  tar -C "$work/$os-$arch" --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name -cf - neosync | gzip -n >"$OUT/$asset"
  assets+=("$asset")
done
(cd "$OUT" && sha256 "${assets[@]}") >"$OUT/neosync_${VERSION}_checksums.txt"
echo "release-cli: wrote ${#assets[@]} archives and neosync_${VERSION}_checksums.txt to $OUT"
