#!/usr/bin/env bash
# Lamina against PyTorch eager, TorchScript and ONNX Runtime in alternating rounds (issue #25):
# builds the samples jar, fetches ONNX Runtime's Java package from Maven Central into
# samples/target (a benchmark tool only, never a dependency of Lamina), and runs peers.py on JDK 17
# (the plain generated loops) and on a JDK 21+ if one is installed (the Vector API kernels).
#
#   samples/bench/peers.sh                      # 9 rounds of 1 s per side and task (~12 min per JDK)
#   samples/bench/peers.sh --rounds 3 --seconds 0.5 --warmup 3    # a smoke run
#
# Options: --no-build; --jdk 17|vector|both (default both); anything else goes to peers.py
# (--models, --tasks, --rounds, --seconds, --warmup; see python3 samples/bench/peers.py --help).
# Environment: PYTHON (an interpreter with torch and onnx), JAVA17, JAVA_VECTOR (java
# executables), ORT_VERSION (default 1.20.0), MAVEN_ARGS (extra Maven arguments, e.g. -o).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

build=1
which=both
pass=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --jdk) which="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pass+=("$1") ;;
  esac
  shift
done
case "$which" in 17|vector|both) ;; *) echo "peers.sh: --jdk 17, vector or both" >&2; exit 2 ;; esac

out="samples/target/bench/peers"
mkdir -p "$out"
if [[ $build == 1 ]]; then
  # shellcheck disable=SC2086
  mvn -q ${MAVEN_ARGS:-} -pl samples -am package -DskipTests
fi
jar="samples/target/lamina-samples.jar"
[[ -f "$jar" ]] || { echo "peers.sh: $jar is missing; run without --no-build" >&2; exit 1; }

ort_version="${ORT_VERSION:-1.20.0}"
ort_jar="$out/onnxruntime-$ort_version.jar"
if [[ ! -f "$ort_jar" ]]; then
  # shellcheck disable=SC2086
  mvn -q ${MAVEN_ARGS:-} -N dependency:copy \
    -Dartifact="com.microsoft.onnxruntime:onnxruntime:$ort_version" -DoutputDirectory="$out"
fi

py=""
for candidate in "${PYTHON:-}" python3 /usr/bin/python3; do
  [[ -n "$candidate" ]] || continue
  if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import torch, onnx' >/dev/null 2>&1; then
    py="$candidate"; break
  fi
done
[[ -n "$py" ]] || { echo "peers.sh: no Python with torch and onnx (set PYTHON)" >&2; exit 1; }

java_version() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
find_jdk() { # $1: lowest feature version, $2: highest
  local j v
  for j in "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [[ -x "$j" ]] || continue
    v="$(java_version "$j")"
    if [[ -n "$v" ]] && (( v >= $1 && v <= $2 )); then echo "$j"; return 0; fi
  done
  return 1
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) logical CPUs" >&2
if [[ "$which" != vector ]]; then
  java17="${JAVA17:-$(find_jdk 17 17 || true)}"
  [[ -n "$java17" ]] || { echo "peers.sh: no JDK 17 found (set JAVA17)" >&2; exit 1; }
  "$py" "$here/peers.py" --java "$java17" --jar "$jar" --ort-jar "$ort_jar" --out "$out" \
    --label "JDK 17" "${pass[@]}"
fi
if [[ "$which" != 17 ]]; then
  javav="${JAVA_VECTOR:-$(find_jdk 21 99 || true)}"
  if [[ -z "$javav" ]]; then
    echo "peers.sh: no JDK 21+ found (set JAVA_VECTOR); the Vector API run is skipped" >&2
  else
    "$py" "$here/peers.py" --java "$javav" --java-options "--add-modules jdk.incubator.vector" \
      --jar "$jar" --ort-jar "$ort_jar" --out "$out" \
      --label "JDK $(java_version "$javav"), Vector API" "${pass[@]}"
  fi
fi
