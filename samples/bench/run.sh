#!/usr/bin/env bash
# LeNet-5 benchmark of issue #5: builds Lamina, runs the PyTorch peer in its best configuration
# (torch.set_num_threads 1 and 2, OPENBLAS_NUM_THREADS=1) and Lamina's `bench` on JDK 17 (and on a
# JDK 25 when one is installed), and prints the side-by-side ratio tables BENCHMARKS.md quotes.
#
#   samples/bench/run.sh --quick          # smoke run, about a minute on a quiet machine
#   samples/bench/run.sh                  # the full measurement (quiet machine, ~15-20 minutes)
#
# Options (anything else is an error):
#   --quick                  short runs, batches 1 and 64, a one-epoch main job on 6,000 images
#   --out DIR                where logs and JSON lines go (default samples/target/bench)
#   --no-build               use the jars already built
#   --no-torch               skip PyTorch (ratio tables then use --torch-json if given)
#   --torch-json FILE        reuse an earlier PyTorch result instead of running it
#   --jdk25 auto|yes|no      also run on a JDK 25 found under /usr/lib/jvm, with
#                            --add-modules jdk.incubator.vector (the Vector API kernels); default:
#                            auto in a full run, no with --quick
#   --runs N, --run-seconds S, --warmup-seconds S, --batches LIST, --threads LIST,
#   --main-epochs N, --main-train-limit N, --data DIR
#                            passed to both harnesses (defaults: each harness's own)
# Environment: PYTHON (an interpreter with torch), JAVA17 / JAVA25 (java executables), JAVA_OPTS,
# MAVEN_ARGS (extra Maven arguments, for example -o).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

quick=0
build=1
torch=1
torch_json=""
jdk25=""
out="samples/target/bench"
common=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --out) out="$2"; shift ;;
    --no-build) build=0 ;;
    --no-torch) torch=0 ;;
    --torch-json) torch_json="$2"; torch=0; shift ;;
    --jdk25) jdk25="$2"; shift ;;
    --runs|--run-seconds|--warmup-seconds|--batches|--threads|--main-epochs|--main-train-limit|--data)
      common+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -z "$jdk25" ]] && { [[ $quick == 1 ]] && jdk25=no || jdk25=auto; }
quick_flag=()
[[ $quick == 1 ]] && quick_flag=(--quick)
mkdir -p "$out"

log() { printf '\n### %s\n' "$*" >&2; }

# --- Build ---------------------------------------------------------------------------------------
if [[ $build == 1 ]]; then
  log "building (mvn package, tests skipped)"
  # shellcheck disable=SC2086
  mvn -q ${MAVEN_ARGS:-} -pl dsl-annotations,runtime,dsl-processor,samples -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=compile
fi
jar="samples/target/lamina-samples.jar"
[[ -f "$jar" ]] || { echo "run.sh: $jar is missing; run without --no-build" >&2; exit 1; }
proc_jar="$(ls dsl-processor/target/lamina-dsl-processor-*.jar 2>/dev/null \
  | grep -v -e '-sources' -e '-tests' | head -n 1 || true)"
processor_path="$proc_jar"
if [[ ! -f dsl-processor/target/bench-classpath.txt ]]; then
  # --no-build on jars built some other way: still resolve the processor's own dependencies
  # shellcheck disable=SC2086
  mvn -q ${MAVEN_ARGS:-} -pl dsl-annotations,runtime,dsl-processor compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=compile
fi
if [[ -f dsl-processor/target/bench-classpath.txt ]]; then
  processor_path="$processor_path:$(cat dsl-processor/target/bench-classpath.txt)"
fi

# --- Machine state -------------------------------------------------------------------------------
load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
log "machine: $(nproc) logical CPUs, load average $load"
if awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l + 0 > 0.25 * n) }' 2>/dev/null; then
  echo "warning: the machine is busy (load average $load): figures will be noisy" >&2
fi

# --- PyTorch -------------------------------------------------------------------------------------
if [[ $torch == 1 ]]; then
  py=""
  for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
    [[ -n "$candidate" ]] || continue
    if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import torch, numpy' >/dev/null 2>&1; then
      py="$candidate"; break
    fi
  done
  if [[ -z "$py" ]]; then
    echo "warning: no Python with torch and numpy found (set PYTHON); skipping PyTorch" >&2
  else
    torch_json="$out/torch.json"
    log "PyTorch peer ($py), OPENBLAS_NUM_THREADS=1, torch threads 1 and 2"
    OPENBLAS_NUM_THREADS=1 "$py" samples/bench/lenet_torch.py \
      "${quick_flag[@]}" "${common[@]}" --main-threads 2 --json "$torch_json" \
      > "$out/torch.stdout" 2> >(tee "$out/torch.log" >&2)
  fi
fi

# --- Java ----------------------------------------------------------------------------------------
java_version() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }

find_jdk() { # $1: feature version
  local want="$1" j
  for j in "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [[ -x "$j" ]] || continue
    if [[ "$(java_version "$j")" == "$want" ]]; then echo "$j"; return 0; fi
  done
  return 1
}

java17="${JAVA17:-$(find_jdk 17 || true)}"
[[ -n "$java17" ]] || { echo "run.sh: no JDK 17 found (set JAVA17)" >&2; exit 1; }
runs=("17:$java17")
if [[ "$jdk25" != no ]]; then
  java25="${JAVA25:-$(find_jdk 25 || true)}"
  if [[ -n "$java25" ]]; then
    runs+=("25:$java25")
  elif [[ "$jdk25" == yes ]]; then
    echo "run.sh: no JDK 25 found (set JAVA25)" >&2; exit 1
  fi
fi

bench_cmd() { # $1: java; prints the command prefix running `bench`
  if "$1" -jar "$jar" --help 2>/dev/null | grep -qE '^ +bench( |$)'; then
    echo "-jar $jar bench"
  else # the app does not register the subcommand (yet): run it directly
    echo "-cp $jar dev.lamina.samples.bench.BenchCommand"
  fi
}

torch_arg=()
[[ -n "$torch_json" && -f "$torch_json" ]] && torch_arg=(--torch-json "$torch_json")
for r in "${runs[@]}"; do
  v="${r%%:*}"; j="${r#*:}"
  vector=()
  label="JDK $v"
  if (( v >= 21 )); then # JDK 21+: the Vector API kernels (see runtime kernel.Kernels)
    vector=(--add-modules jdk.incubator.vector)
    label="JDK $v, Vector API"
  fi
  log "Lamina bench on $label"
  # shellcheck disable=SC2046,SC2086
  "$j" ${JAVA_OPTS:-} "${vector[@]}" $(bench_cmd "$j") "${quick_flag[@]}" "${common[@]}" \
    --processor-path "$processor_path" --label "$label" --json "$out/lamina-jdk$v.json" \
    "${torch_arg[@]}" | tee "$out/lamina-jdk$v.log"
done

# --- Summary -------------------------------------------------------------------------------------
log "summary (logs and JSON lines in $out)"
for r in "${runs[@]}"; do
  v="${r%%:*}"
  if grep -q '^== Lamina vs PyTorch' "$out/lamina-jdk$v.log"; then
    sed -n '/^== Lamina vs PyTorch/,$p' "$out/lamina-jdk$v.log"
  else
    sed -n '/^== Lamina LeNet-5/,$p' "$out/lamina-jdk$v.log"
  fi
  echo
done
