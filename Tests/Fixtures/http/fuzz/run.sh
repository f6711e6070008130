#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the HTTP and multipart parsers.
#   Tests/Fixtures/http/fuzz/run.sh [SECONDS]     (default 60)
# Starts from the regression corpora in Tests/Fixtures/http/{corpus,multipart-corpus}; new interesting inputs go
# to a scratch directory (not committed); crashes are written as crash-* files in the scratch directory. Add a
# minimised crash to Tests/Fixtures/http/corpus when fixing it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
seconds=${1:-60}
work=$(mktemp -d /tmp/binsr-fuzz.XXXXXX)
sources=(Syscall Socket Listener ServerLimits HTTPTypes HTTPRequest QueryDecoding RequestParser RequestSyntax
         HTTPResponse ErrorResponses MediaType Multipart)
files=()
for name in "${sources[@]}"; do files+=("$root/Sources/HTTPServer/$name.swift"); done
echo "fuzz: building in $work"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name HTTPServerFuzz \
    "${files[@]}" "$root/Tests/Fixtures/http/fuzz/FuzzParsers.swift" -o "$work/fuzz-parsers"
mkdir -p "$work/corpus"
cp "$root"/Tests/Fixtures/http/corpus/* "$root"/Tests/Fixtures/http/multipart-corpus/* "$work/corpus/"
cd "$work"
echo "fuzz: running for ${seconds}s"
./fuzz-parsers -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 corpus
