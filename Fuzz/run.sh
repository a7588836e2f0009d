#!/usr/bin/env bash
# Builds one libFuzzer target and fuzzes it for a while over a copy of its seed corpus.
#
#   Fuzz/run.sh <Target> [seconds] [extra libFuzzer flags...]
#
# Targets: FuzzBluefloodIngest FuzzDatadogSeries FuzzDatadogQuery FuzzDynatraceLines FuzzAxiomIngest FuzzZstd FuzzSignalFx.
# Exits non-zero when the fuzzer finds a crash (the input is written to Fuzz/Artifacts/<Target>/).
#
# Environment:
#   FUZZ_CONFIG      release (default) or debug
#   FUZZ_SANITIZERS  fuzzer,address (default); fuzzer alone is faster and still finds Swift traps
#   FUZZ_SKIP_BUILD  1 to run the binary already built (no rebuild after source changes)
set -euo pipefail
cd "$(dirname "$0")"

if [ $# -lt 1 ] || [ ! -d "Sources/$1" ]; then
    echo "usage: $0 <Target> [seconds] [libFuzzer flags...]; targets: $(ls Sources | tr '\n' ' ')" >&2
    exit 2
fi
target=$1
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
config=${FUZZ_CONFIG:-release}
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}

build=(swift build -c "$config" --scratch-path .build -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library)
if [ "${FUZZ_SKIP_BUILD:-0}" != 1 ]; then
    "${build[@]}" --product "$target"
fi
binary="$("${build[@]}" --show-bin-path)/$target"

# Fuzz a copy, so what the run discovers does not land in the checked-in seeds.
work=.build/fuzz-corpus/$target
artifacts=Artifacts/$target
rm -rf "$work"
mkdir -p "$work" "$artifacts"
cp Corpus/"$target"/* "$work"/

flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$artifacts/")
if [ -f "Dictionaries/$target.dict" ]; then flags+=(-dict="Dictionaries/$target.dict"); fi

# Swift's own crash handler intercepts the trap of a failed precondition and then trips ASan
# (a use-after-free report inside CrashHandlerLinux's memory server); turning it off lets
# libFuzzer report the crash and write the reproducer.
export SWIFT_BACKTRACE=enable=no

echo "== $binary ${flags[*]} $* $work"
set +e
"$binary" "${flags[@]}" "$@" "$work"
status=$?
set -e
if [ $status -ne 0 ]; then
    echo "== $target: crash or error (exit $status); inputs in $artifacts/" >&2
    echo "== reproduce: SWIFT_BACKTRACE=enable=no $binary $artifacts/<crash-file>" >&2
fi
exit $status
