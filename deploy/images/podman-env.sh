# shellcheck shell=bash
# Sourced by the container scripts: the two settings podman needs on this kind of machine (a container without
# systemd and with cgroup v1): runc instead of crun, cgroupfs instead of systemd, and no default ulimits
# (raising RLIMIT_NOFILE is refused inside this sandbox).
binsr_podman() { podman --runtime "$(command -v runc)" --cgroup-manager cgroupfs "$@"; }

binsr_containers_conf() {
    local conf=/etc/containers/containers.conf
    if ! grep -qs '^default_ulimits *= *\[\]' "$conf"; then
        mkdir -p /etc/containers
        if grep -qs '^\[containers\]' "$conf"; then
            sed -i 's/^\[containers\]/[containers]\ndefault_ulimits = []/' "$conf"
        else
            printf '[containers]\ndefault_ulimits = []\n' >>"$conf"
        fi
    fi
}
binsr_containers_conf
