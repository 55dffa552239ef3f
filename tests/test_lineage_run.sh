#!/bin/bash
# --previous on three consecutive demo runs (to 2024-10, 2024-11,
# 2024-12): each run's hotspot ids, status, first_seen, months_seen and
# ceased layer against the README's rules worked out here in Python from
# overlap areas that SpatiaLite computes from the two GeoPackages; fresh
# ids never reuse a number; the run table's last id; bad --previous files.
set -euo pipefail
. "$(dirname "$0")/common.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
echo "SELECT load_extension('mod_spatialite');" | sqlite3 >/dev/null 2>&1 ||
    { echo "SKIP: SpatiaLite (mod_spatialite) not installed"; exit 77; }
run() { # out, to, [--previous file]
    local out=$1 to=$2
    shift 2
    (cd "$T" && "$BIN" demo --gistar no --lisa no --emerging no --to "$to" \
        -o "$out" "$@") > /dev/null 2> "$T/err.txt" || fail "run $out: $(cat "$T/err.txt")"
}
run a.gpkg 2024-10
run b.gpkg 2024-11 --previous a.gpkg
run c.gpkg 2024-12 --previous b.gpkg

for pair in "a b" "b c"; do
    set -- $pair
    for g in asb sac violence; do
        sqlite3 -csv "$T/$2.gpkg" > "$T/ov_$1$2_$g.csv" <<SQL
SELECT load_extension('mod_spatialite');
ATTACH '$T/$1.gpkg' AS old;
SELECT 'pair', o.hotspot_id, n.hotspot_id,
       ST_Area(ST_Intersection(GeomFromGPB(o.geom), GeomFromGPB(n.geom)))
  FROM old.hotspots_$g o, hotspots_$g n
 WHERE ST_Intersects(GeomFromGPB(o.geom), GeomFromGPB(n.geom));
SELECT 'old', hotspot_id, ST_Area(GeomFromGPB(geom)), first_seen, months_seen
  FROM old.hotspots_$g ORDER BY fid;
SELECT 'new', hotspot_id, ST_Area(GeomFromGPB(geom)), first_seen, months_seen,
       coalesce(status, ''), rank FROM hotspots_$g ORDER BY rank;
SELECT 'ceased', hotspot_id, first_seen, last_seen, months_seen FROM hotspots_ceased_$g;
SELECT 'last_old', value FROM old.run WHERE key = 'last_id_$g';
SELECT 'last_new', value FROM run WHERE key = 'last_id_$g';
SQL
    done
done

python3 - "$T" <<'PY' || fail "lineage differs from the rules worked here"
import csv, sys
T = sys.argv[1]
def num(i): return int(i.rsplit("-", 1)[1])
seen_counts, statuses = {}, {}
for a, b in (("a", "b"), ("b", "c")):
    for g in ("asb", "sac", "violence"):
        rows = [r for r in csv.reader(open(f"{T}/ov_{a}{b}_{g}.csv")) if len(r) > 1]
        pairs = {(r[1], r[2]): float(r[3]) for r in rows if r[0] == "pair" and float(r[3]) > 0}
        old = {r[1]: (float(r[2]), r[3], int(r[4])) for r in rows if r[0] == "old"}
        new = [(r[1], float(r[2]), r[3], int(r[4]), r[5], int(r[6])) for r in rows if r[0] == "new"]
        ceased = {r[1]: r for r in rows if r[0] == "ceased"}
        last_old = int(next(r[1] for r in rows if r[0] == "last_old"))
        last_new = int(next(r[1] for r in rows if r[0] == "last_new"))
        # links: an overlap of at least a quarter of the smaller
        newarea = {n[0]: n[1] for n in new}
        link = {(o, n): v for (o, n), v in pairs.items()
                if v >= 0.25 * min(old[o][0], newarea[n]) * (1 - 1e-9)}
        L = {n[0]: [o for (o, m) in link if m == n[0]] for n in new}
        Lp = {o: [m for (p, m) in link if p == o] for o in old}
        # the old number each new one keeps: largest overlap first
        # (ties: the old one first in its layer, then the higher rank)
        kept, used = {}, set()
        order = list(old)
        for (o, n), v in sorted(link.items(), key=lambda kv: (-kv[1], order.index(kv[0][0]),
                                [x[0] for x in new].index(kv[0][1]))):
            if n not in kept and o not in used:
                kept[n] = num(o)
                used.add(o)
        nxt = last_old
        for nid, area, first, months, status, rank in new:
            if nid in kept:
                want_num = kept[nid]
            else:
                nxt += 1
                want_num = nxt
            if num(nid) != want_num:
                sys.exit(f"{a}->{b} {g}: rank {rank} is {nid}, want number {want_num}")
            lo = L[nid]
            if not lo:
                want = "new"
            elif len(lo) >= 2:
                want = "merged"
            elif len(Lp[lo[0]]) >= 2:
                want = "split"
            else:
                r = area / old[lo[0]][0]
                want = "grown" if r >= 1.25 else "shrunk" if r <= 0.8 else "persisting"
            if status != want:
                sys.exit(f"{a}->{b} {g}: {nid} status {status}, want {want}")
            wf = min((old[o][1] for o in lo), default=None)
            wm = 1 + max((old[o][2] for o in lo), default=0)
            if wf is not None and first != wf or months != wm:
                sys.exit(f"{a}->{b} {g}: {nid} first_seen {first} months {months}, "
                         f"want {wf} {wm}")
            if not lo and first != {"b": "2024-11", "c": "2024-12"}[b]:
                sys.exit(f"{a}->{b} {g}: new {nid} first_seen {first}")
            seen_counts[months] = seen_counts.get(months, 0) + 1
            statuses[status] = statuses.get(status, 0) + 1
        want_ceased = {o for o in old if not Lp[o]}
        if set(ceased) != want_ceased:
            sys.exit(f"{a}->{b} {g}: ceased {sorted(ceased)}, want {sorted(want_ceased)}")
        for o, r in ceased.items():
            if r[2] != old[o][1] or int(r[4]) != old[o][2]:
                sys.exit(f"{a}->{b} {g}: ceased {o} carries {r[2:]}")
        if last_new != max([last_old] + [num(n[0]) for n in new]):
            sys.exit(f"{a}->{b} {g}: last id {last_new}")
        if len({n[0] for n in new}) != len(new):
            sys.exit(f"{a}->{b} {g}: ids repeat")
if seen_counts.get(3, 0) == 0:
    sys.exit(f"no hotspot followed over three runs: {seen_counts}")
print("lineage as the rules say; hotspots by runs seen:", dict(sorted(seen_counts.items())),
      "by status:", dict(sorted(statuses.items())))
PY

# the tasking layers name the renumbered ids
[ "$(sqlite3 "$T/c.gpkg" "SELECT count(*) FROM tasking_violence t WHERE hotspot_id IS NOT NULL
     AND hotspot_id NOT IN (SELECT hotspot_id FROM hotspots_violence)")" = 0 ] ||
    fail "tasking names an id the hotspots layer does not hold"
# bad --previous files: a clear error, exit 1, nothing written
bad() { # expected message, args...
    local want=$1
    shift
    if (cd "$T" && "$BIN" demo --gistar no --lisa no --emerging no -o bad.gpkg "$@") \
        > /dev/null 2> "$T/err.txt"; then fail "--previous $*: no error"; fi
    grep -q -- "$want" "$T/err.txt" || fail "--previous $*: $(cat "$T/err.txt")"
    [ ! -e "$T/bad.gpkg" ] || fail "--previous $*: wrote a file"
}
bad "its period ends 2024-12" --previous c.gpkg
bad "no-such.gpkg" --previous no-such.gpkg
(cd "$T" && "$BIN" demo --gistar no --lisa no --emerging no --kde no --to 2024-11 -o nokde.gpkg) \
    > /dev/null 2>&1 || fail "run --kde no"
bad "no hotspots for group" --previous nokde.gpkg
echo PASS
