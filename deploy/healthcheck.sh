#!/bin/bash
# Container HEALTHCHECK: GET /healthz on the local port, healthy on HTTP 200. Uses bash's /dev/tcp so that the
# runtime image needs no HTTP client (curl and its TLS libraries would add ~10 MB for this one request).
# Usage: binsr-healthcheck [port]   (default 8080)
set -euo pipefail
port=${1:-8080}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
# The status line alone decides: "HTTP/1.1 200 OK".
IFS=' ' read -r -t 2 _ status _ <&3
[ "$status" = "200" ]
