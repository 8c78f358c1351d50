#!/usr/bin/env bash
# Builds the libFuzzer targets, replays every committed regression input, then fuzzes each target
# for SECONDS (default 12) starting from seeds made from the test fixtures.
#
#   Tests/Fuzz/fuzz.sh [SECONDS [TARGET...]]
#
# FUZZ_CONFIG=debug builds without optimization: a third of the build time, for the short smoke
# run of `make test`; long runs want the default, release.
# A crash, a trap, a leak of time (an input taking over 10 s) or memory (over 2 GiB) stops the
# run with the input saved under Tests/Fuzz/.build/artifacts/; copy it to Regressions/TARGET/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-12}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzPipeline FuzzHandshake FuzzQUIC FuzzCertificate FuzzConfig FuzzCaptureFile FuzzKeyLog FuzzDecryptedHandshake)
fi

config=${FUZZ_CONFIG:-release}
# Keep the runtime exclusivity checks that release builds of tlstop leave out (Package.swift).
export TLSTOP_CHECKED=1
# FUZZ_ASAN=1 adds AddressSanitizer (README.md): a separate build folder, so both builds stay cached.
sanitizers=(--sanitize=fuzzer)
scratch=.build
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
    sanitizers+=(--sanitize=address)
    scratch=.build-asan
fi
swift build -c "$config" "${sanitizers[@]}" --scratch-path "$scratch" >/tmp/tlstop-fuzz-build.log 2>&1 ||
    { tail -40 /tmp/tlstop-fuzz-build.log >&2; echo "fuzz: building the targets failed" >&2; exit 1; }
echo "fuzz: targets built ($config ${sanitizers[*]})"
bin=$(swift build -c "$config" "${sanitizers[@]}" --scratch-path "$scratch" --show-bin-path)
rm -rf .build/seeds
python3 make-seeds.py .build/seeds
mkdir -p .build/artifacts

for target in "${targets[@]}"; do
    [ -x "$bin/$target" ] || { echo "fuzz: $target was not built" >&2; exit 1; }
    regressions=(Regressions/"$target"/*)
    if [ -e "${regressions[0]}" ]; then
        # With files as arguments libFuzzer runs each once and fails on the first crash.
        "$bin/$target" -timeout=10 "${regressions[@]}" 2>"/tmp/tlstop-fuzz-$target.log" ||
            { tail -40 "/tmp/tlstop-fuzz-$target.log" >&2; echo "fuzz: $target regression input crashed" >&2; exit 1; }
        echo "fuzz: $target replayed ${#regressions[@]} regression inputs"
    fi
    mkdir -p ".build/corpus/$target"
    "$bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix=".build/artifacts/$target-" \
        ".build/corpus/$target" ".build/seeds/$target" >"/tmp/tlstop-fuzz-$target.log" 2>&1 ||
        { tail -60 "/tmp/tlstop-fuzz-$target.log" >&2; echo "fuzz: $target crashed; input in Tests/Fuzz/.build/artifacts/" >&2; exit 1; }
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "/tmp/tlstop-fuzz-$target.log" | grep -oE '[0-9]+$' || echo '?')
    coverage=$(grep -oE 'cov: [0-9]+' "/tmp/tlstop-fuzz-$target.log" | tail -1 || true)
    echo "fuzz: $target ran $runs inputs in ${seconds} s without a crash ($coverage)"
done
