#!/usr/bin/env bash
# Makes, locally, the two base images that the Dockerfile names, because no image registry is reachable here
# (only Debian's mirror is). Where Docker Hub is reachable, skip this script: the official images of the same names
# work with the same Dockerfile.
#   localhost/debian:bookworm-slim   Debian 12 minbase by debootstrap, docs and man pages left out like the official
#                                    slim image (runtime stage base)
#   localhost/swift:6.3.1-bookworm   that base + the toolchain's build dependencies + this machine's Swift toolchain
#                                    (/opt/swift) + its local package mirror (/opt/swift-packages), so that the build
#                                    stage resolves github.com dependencies offline (build stage base)
# Usage: deploy/images/make-base-images.sh [--force]   (idempotent: an image that exists is kept unless --force)
# Heavy (downloads ~100 MB, copies 3.4 GB): runs under nice; needs root, podman, debootstrap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/images/podman-env.sh
source "$here/podman-env.sh"

force=0; [ "${1:-}" = "--force" ] && force=1
runtime_image=localhost/debian:bookworm-slim
swift_image=localhost/swift:6.3.1-bookworm
mirror=${BINSR_DEBIAN_MIRROR:-http://deb.debian.org/debian}

have_image() { [ $force -eq 0 ] && binsr_podman image exists "$1"; }

if have_image "$runtime_image"; then
    echo "base: $runtime_image present"
else
    rootfs=$(mktemp -d /var/tmp/binsr-rootfs.XXXXXX)
    # debootstrap mounts proc and sys inside the rootfs: unmount before removing, and never cross a mount.
    cleanup() { umount -R "$rootfs/proc" "$rootfs/sys" 2>/dev/null || true; rm -rf --one-file-system "$rootfs"; }
    trap cleanup EXIT
    echo "base: debootstrap bookworm (minbase) into $rootfs"
    nice -n 10 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
        || { tail -20 "$rootfs.log"; exit 1; }
    # Same sources as the host (main + updates + security), so `apt-get install` in the Dockerfile gets fixes.
    cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
    # Keep documentation out of later installs, as the official slim image does (its dpkg.cfg.d/docker).
    cat >"$rootfs/etc/dpkg/dpkg.cfg.d/01-slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
    # And no downloaded packages kept after an install (the official image's apt.conf.d/docker-clean).
    cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
APT
    find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright -type f -delete
    rm -rf "$rootfs"/usr/share/{man,info,locale}/* "$rootfs"/var/cache/apt/*.bin \
        "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
    echo "base: importing as $runtime_image"
    tar -C "$rootfs" -c . | binsr_podman import --change 'CMD ["/bin/bash"]' - "$runtime_image" >/dev/null
    cleanup; rm -f "$rootfs.log"; trap - EXIT
fi

if have_image "$swift_image"; then
    echo "base: $swift_image present"
else
    # The build context is /opt (the toolchain and the package mirror live there); the Containerfile copies only
    # opt/swift and opt/swift-packages out of it.
    echo "base: building $swift_image from /opt/swift (3.4 GB copy, a few minutes)"
    nice -n 10 buildah --runtime "$(command -v runc)" bud --pull=never --format docker --layers \
        -f "$here/swift-bookworm.Containerfile" -t "$swift_image" \
        --build-arg BASE="$runtime_image" /opt
fi
binsr_podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'debian|swift' || true
