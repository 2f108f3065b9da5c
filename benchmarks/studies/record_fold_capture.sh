#!/bin/sh
# Record a real, non-repeating `perf script` capture for the fold benchmark
# (benchmarks/studies/fold_speed.py). The capture is not kept in git: it is hundreds of MB.
#
#   benchmarks/studies/record_fold_capture.sh [OUT.txt] [SECONDS]
#
# What it samples, at 8 kHz with call graphs (perf record -e cpu-clock -F 8000 -g):
# the project's own workload process (the Python layer iterating the classic and the
# Swiss map, so Python, libpython and map frames mix), a Python json/regex loop,
# `xz -9` compressing generated text, and `tar` of /usr piped through `xz -1` (the
# kernel's file-system paths give deep, varied stacks), as a busy host gives.
# Needs perf (Debian: linux-perf), xz, python with mapbench installed, and
# kernel.perf_event_paranoid <= 1 or root. Default: /tmp/mapbench-fold-capture.txt, 60 s.
set -eu
out=${1:-/tmp/mapbench-fold-capture.txt}
seconds=${2:-60}
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" - "$work/text" <<'PY'
import random, sys
rng = random.Random(7)
words = [''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(rng.randint(2, 9))) for _ in range(5000)]
with open(sys.argv[1], 'w') as fh:
    for _ in range(300_000):
        fh.write(' '.join(rng.choice(words) for _ in range(12)) + '\n')
PY
cat > "$work/loop.py" <<'PY'
import json, re, sys, time
end = time.time() + float(sys.argv[1])
pattern = re.compile(r'"(\w+)": \[(\d+), (\d+)\]')
n = 0
while time.time() < end:
    doc = json.dumps({f"k{i}": [i, n] for i in range(2000)})
    n += len(pattern.findall(doc)) + len(json.loads(doc))
PY
perf record -q -e cpu-clock -F 8000 -g -o "$work/perf.data" -- sh -c "
  '$python' -m mapbench.benchmarks.profiling.workload --op iterate --layer python --n 262144 --seconds $seconds >/dev/null &
  '$python' -m mapbench.benchmarks.profiling.workload --op iterate --map swiss --layer python --n 65536 --seconds $seconds >/dev/null &
  '$python' '$work/loop.py' $seconds &
  timeout $seconds sh -c 'tar -cf - /usr 2>/dev/null | xz -1 -T1 >/dev/null' &
  end=\$(( \$(date +%s) + $seconds ))
  while [ \$(date +%s) -lt \$end ]; do xz -9 -T1 -c '$work/text' >/dev/null; done
  wait" 2>/dev/null
perf script -i "$work/perf.data" > "$out" 2>/dev/null
ls -l "$out"
