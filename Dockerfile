# binsr: the super-resolution service as a container image. Two stages:
#   build    Swift 6.3.1 on Debian 12, `swift build -c release` with the Swift runtime linked statically
#   runtime  Debian 12 slim + only the C libraries the binary loads (ldd), the weights and config/, a non-root user
#
# Build: podman build --format docker -t binsr .      (or: docker build -t binsr .)
# Run:   podman run --rm -p 8080:8080 binsr
# Here no image registry is reachable: deploy/images/make-base-images.sh makes both base images locally and
# deploy/container-test.sh passes their names in (docs/deploy.md). With Docker Hub reachable, the defaults work.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# The C libraries' headers (Package.swift's system-library targets). Versions are those of Debian 12, whose
# security updates we want: unpinned on purpose.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        pkg-config libpng-dev libjpeg62-turbo-dev libwebp-dev zlib1g-dev libdnnl-dev libsqlite3-dev \
    && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# SwiftPM checks that every declared target's folder exists, test targets included.
COPY Tests ./Tests
# --static-swift-stdlib: the Swift runtime and Foundation go into the binary, so the runtime stage needs none of
# /opt/swift's shared libraries; what stays dynamic is glibc, libstdc++ and the C libraries (checked by ldd below).
# The cache mount keeps .build between image builds (incremental: dependencies are not compiled again); it is not
# part of any layer, so the binary is copied out of it in the same step. strip --strip-debug drops the DWARF (4 MB)
# but keeps the symbol table, so that a crash backtrace in the logs still names functions.
RUN --mount=type=cache,target=/src/.build,id=binsr-swift-build \
    swift build -c release --static-swift-stdlib --product binsr \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/binsr" /out/binsr \
    && strip --strip-debug /out/binsr \
    && ldd /out/binsr

FROM ${RUNTIME_IMAGE} AS runtime
# libpng16-16, libjpeg62-turbo, libwebp7, zlib1g, libdnnl2 (oneDNN 2.6.3 in Debian 12), libsqlite3-0 (the viewer's study
# store): the binary's C libraries, one per -dev package of the build stage.
# tini: PID 1 that forwards SIGTERM to binsr and reaps; the exit code of binsr becomes the container's.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpng16-16 libjpeg62-turbo libwebp7 zlib1g libdnnl2 libsqlite3-0 libstdc++6 tini \
    && apt-get clean && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin binsr \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/binsr

COPY --from=build /out/binsr /usr/local/bin/binsr
# Read-only application files, owned by root: the service user can read but not change them.
WORKDIR /app
COPY config/ ./config/
COPY models/ ./models/
# The viewer's pages and sample photos (the service finds web/ in its working directory).
COPY web/ ./web/
COPY deploy/healthcheck.sh /usr/local/bin/binsr-healthcheck

# Numeric user, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080
# Seconds the service has, after SIGTERM, to finish accepted work (the service's shutdownGraceSeconds, read from the
# environment over config/binsr.json). Kubernetes' terminationGracePeriodSeconds and compose's stop_grace_period are
# longer, so that neither kills a drain.
ENV BINSR_SHUTDOWN_GRACE_SECONDS=30
# The blind study's vote database (SQLite): the one place the service writes. A volume in compose and Kubernetes,
# since their root filesystem is read-only.
ENV BINSR_STUDY_DATA_DIRECTORY=/var/lib/binsr/study
# `precision = auto` caches its per-CPU timing in the same volume, so a restarted pod on the same node does not
# measure again (a new CPU, oneDNN or weights file is a cache miss and is measured in the background).
ENV BINSR_PRECISION_CACHE=/var/lib/binsr/study/precision-cache.json
STOPSIGNAL SIGTERM
# Docker format only (podman build --format docker); Kubernetes uses its own probes (deploy/kubernetes).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 CMD ["/usr/local/bin/binsr-healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/binsr"]
CMD ["serve", "--config", "config/binsr.json", "--port", "8080", "--host", "0.0.0.0"]
