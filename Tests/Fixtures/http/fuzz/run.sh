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
sources=(Syscall Socket Listener ServerLimits HTTPVocabulary Request QueryDecoding RequestParser RequestSyntax
         Response ErrorResponses MediaType Multipart)
files=()
for name in "${sources[@]}"; do files+=("$root/Sources/HTTPServer/$name.swift"); done
echo "fuzz: building in $work"
# swift-http-types (the vocabulary the parser fills in) as a static library, from the checkout `swift build` made,
# with the settings of its Package.swift.
types="$root/.build/checkouts/swift-http-types/Sources/HTTPTypes"
[ -d "$types" ] || (cd "$root" && swift package resolve)
macros=()
for version in 1.0 1.1 1.2 1.3 1.6 1.7; do
    macros+=(-enable-experimental-feature "AvailabilityMacro=HTTPTypes $version: macOS 10.0")
done
swiftc -O -parse-as-library -module-name HTTPTypes -enable-upcoming-feature InternalImportsByDefault "${macros[@]}" \
    -emit-module -emit-module-path "$work/HTTPTypes.swiftmodule" -emit-library -static -o "$work/libHTTPTypes.a" \
    "$types"/*.swift
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name HTTPServerFuzz -I "$work" -L "$work" -lHTTPTypes \
    "${files[@]}" "$root/Tests/Fixtures/http/fuzz/FuzzParsers.swift" -o "$work/fuzz-parsers"
mkdir -p "$work/corpus"
cp "$root"/Tests/Fixtures/http/corpus/* "$root"/Tests/Fixtures/http/multipart-corpus/* "$work/corpus/"
cd "$work"
echo "fuzz: running for ${seconds}s"
./fuzz-parsers -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 corpus
