#!/bin/bash
# Benchmark: aoristic time of week (issue 14's target: on 1M incidents
# with from/to windows it adds under 0.5 s to a run).
# Data: the 1M generated incidents of bench_common.sh with a start and an
# end written from their id (deterministic): a day of their month, a start
# time, and for two thirds a window of up to 12 hours (the rest exact);
# the 1,800 LSOA-like areas.  hyperfine times three runs that differ only
# in the times (--kde no, no points layer, no Gi* or local Moran):
#   months   --date month: no times, no time-of-week tables
#   exact    --date start: exact times, the timeofweek table
#   windows  --start-time start --end-time end: aoristic spreading
#   when     the same with --when "Thu-Sat 18:00-04:00": each incident
#            counted by the share of its window inside (when.h), fewer
#            incidents, real-number counts
# windows - exact is the aoristic method's own cost (reading the end
# column, spreading each window); windows - months all of time of week.
# R's aoristic package (aoristic.df) is not in Debian, so nothing runs
# beside it here.
#
#   scripts/bench_timeofweek.sh    (data in $BENCH_DIR, default build/bench)
set -euo pipefail
source "$(dirname "$0")/bench_common.sh"
bench_setup ""
bench_points 1m
bench_lsoa1800
[ -f points_1m_times.csv ] || awk -F, 'BEGIN { OFS = "," }
    NR == 1 { print $0, "start", "end"; next }
    { id = $1; d = id * 7 % 28 + 1; t = id * 13 % 24 * 60 + id * 31 % 60
      s = id % 3 ? id * 17 % 720 : 0; e = t + s; ed = d + int(e / 1440); e %= 1440
      printf "%s,%s-%02d %02d:%02d,%s-%02d %02d:%02d\n", $0, $5, d, t / 60, t % 60,
             $5, ed, e / 60, e % 60 }' points_1m.csv > points_1m_times.csv
A="--incidents points_1m_times.csv --areas lsoa1800.gpkg --areas-layer lsoa --area-id lsoa_code"
A="$A --population population --categories cats.csv --groups asb,sac,violence --from 2024-01"
A="$A --to 2024-12 --compare none --kde no --incidents-layer no --gistar no --lisa no"
echo "== 1M incidents, 1,800 areas: months only, exact times, from/to windows"
hyperfine --warmup 1 --runs 5 --style basic \
    "$BIN run $A --date month -o tw_months.gpkg" \
    "$BIN run $A --date start -o tw_exact.gpkg" \
    "$BIN run $A --start-time start --end-time end -o tw_windows.gpkg" \
    "$BIN run $A --start-time start --end-time end --when 'Thu-Sat 18:00-04:00' -o tw_when.gpkg" 2>&1 |
    grep -E "Benchmark|Time|Range"
/usr/bin/time -v "$BIN" run $A --start-time start --end-time end -o tw_windows.gpkg 2> time.txt | grep -E "time:"
grep -E "Maximum resident|Elapsed" time.txt
sqlite3 tw_windows.gpkg "SELECT 'timeofweek rows: ' || count(*) || ', weight ' || round(sum(weight), 3) FROM timeofweek"
