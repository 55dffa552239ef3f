#!/bin/bash
# The bad-input catalogue (issue 5): each case builds one bad input in a
# temporary folder from a few lines of text (areas: the demo boards, or small
# hand-made GeoJSON), runs hotspot, and asserts the exact behaviour:
#   - the exit status (0 done, 1 input/output failure, 2 usage);
#   - a message on stderr, as an extended regex naming the file, line or
#     feature, and field;
#   - counts from the `run` table of the GeoPackage written (exit 0), e.g.
#     "skipped: bad coordinates=1";
#   - on failure, that no GeoPackage (nor temporary file) was written.
# One case reads:   new NAME; <set-up lines>; t EXIT 'REGEX' 'KEY=N;...' ARGS...
# where ARGS are hotspot's (the shorthand `inc FILE...` runs a quick `run`
# on the demo boards, without density surfaces, to out.gpkg).  SHOW=1
# prints each case's error lines too.  Running as root, chmod cannot make a
# file unreadable: a link to /proc/self/mem (opens, reads fail) stands in,
# and /proc stands in for a read-only folder.
set -uo pipefail
SRC=${HOTSPOT_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HOTSPOT_BIN:-$SRC/build/hotspot}
D=$SRC/data/demo
T=$(mktemp -d)
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
FAILS=0 N=0
C= NAME=

H='Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context'
# police.uk rows: row MONTH LON LAT TYPE
row() { printf ',%s,Demoshire Police,Demoshire Police,%s,%s,On or near High Street,E01900066,Castleton 004C,%s,,\n' "$1" "$2" "$3" "$4"; }
# A good police.uk row, inside a demo board (taken from the demo data).
good() { row 2024-01 -1.700165 51.173183 'Anti-social behaviour'; }
# A small GeoJSON layer in EPSG:27700 of features: feat ID NAME POP GEOMETRY (JSON)
poly_fc() { printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[%s]}\n' "$1"; }
feat() { printf '{"type":"Feature","properties":{"id":%s,"name":"%s","pop":%s},"geometry":%s}' "$1" "$2" "$3" "$4"; }
# sq XMIN YMIN XMAX YMAX: a square (the good row is at about 421058, 141592 in BNG).
sq() { printf '{"type":"Polygon","coordinates":[[[%s,%s],[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]}' \
    "$1" "$2" "$3" "$2" "$3" "$4" "$1" "$4" "$1" "$2"; }

# also WHAT CMD...: a further check on the last case
also() {
    local what=$1
    shift
    "$@" || { echo "FAIL $NAME: $what"; FAILS=$((FAILS + 1)); }
}

new() { NAME=$1; C=$T/$1; mkdir -p "$C"; cd "$C" || exit 1; }

inc() { run --areas "$D/boards.geojson" --area-id board_id --kde no -o out.gpkg --incidents "$@"; }
run() { "$BIN" run "$@"; }
kde() { "$BIN" kde "$@"; }

# t EXIT REGEX COUNTS CMD...
t() {
    local want=$1 re=$2 counts=$3 got
    shift 3
    N=$((N + 1))
    ( cd "$C" && "$@" ) > "$C/stdout" 2> "$C/stderr"
    got=$?
    local bad=
    [ "$got" = "$want" ] || bad="exit $got, want $want"
    if [ -n "$re" ] && ! grep -Ezqa -- "$re" "$C/stderr"; then
        bad="${bad:+$bad; }stderr does not match /$re/"
    fi
    if grep -Eq 'Sanitizer|runtime error|Segmentation|Aborted|core dumped' "$C/stderr"; then
        bad="${bad:+$bad; }crashed"
    fi
    if [ "$want" != 0 ]; then
        # nothing written on failure: no GeoPackage, no temporary file
        local left
        left=$(cd "$C" && ls -A | grep -Ev '^(stdout|stderr|keep.*)$' | grep -E '\.(gpkg|qgz|tif)|\.tmp|hotspot' )
        [ -z "$left" ] || bad="${bad:+$bad; }left behind: $left"
    fi
    local kv
    IFS=';' read -ra kvs <<< "$counts"
    for kv in "${kvs[@]}"; do
        [ -n "$kv" ] || continue
        local k=${kv%=*} v=${kv##*=} have
        if [ "${k#layer:}" != "$k" ]; then  # layer:SQL=VALUE
            have=$(sqlite3 "$C/out.gpkg" "${k#layer:}" 2>&1)
        else
            have=$(sqlite3 "$C/out.gpkg" "SELECT value FROM run WHERE section='count' AND key='$k'" 2>&1)
        fi
        [ "$have" = "$v" ] || bad="${bad:+$bad; }$k = '$have', want '$v'"
    done
    if [ -n "$bad" ]; then
        FAILS=$((FAILS + 1))
        echo "FAIL $NAME: $bad"
        grep -v "has no population: counts are given\|no --population given" "$C/stderr" | tail -4 | sed "s/^/    stderr: /"
    else
        echo "ok   $NAME"
    fi
    [ -n "${SHOW:-}" ] && grep -a "error" "$C/stderr" | sed "s/^/    got: /"; cd "$T" || exit 1
}

# ---- incident files: whole-file errors ----------------------------------

new empty_file; : > in.csv
t 1 "incidents '.*in\.csv': empty file" '' inc in.csv

new blank_lines_only; printf '\n\n\r\n' > in.csv
t 1 "incidents '.*in\.csv': empty file" '' inc in.csv

new header_only; echo "$H" > in.csv
t 1 "incidents '.*in\.csv': no data rows \(header only\).*no usable incidents in 1 file\(s\) \(0 rows read\)" '' inc in.csv

new header_only_beside_good; echo "$H" > a.csv; { echo "$H"; good; } > b.csv
t 0 "incidents '.*a\.csv': no data rows \(header only\)" 'files=2;rows_read=1;rows_kept=1' inc a.csv b.csv

new no_coordinate_columns; { echo 'category,date'; echo 'Burglary,2024-01'; } > in.csv
t 1 "incidents '.*in\.csv': no coordinate columns \(looked for longitude/latitude, x/y, easting/northing" '' inc in.csv

new no_crime_type_column; { echo 'x,y,date'; echo '420780,140250,2024-01'; } > in.csv
t 1 "incidents '.*in\.csv': no crime type column" '' inc in.csv

new no_date_column; { echo 'x,y,category'; echo '420780,140250,Burglary'; } > in.csv
t 1 "incidents '.*in\.csv': no date or month column" '' inc in.csv

new named_column_missing; { echo 'e,n,category,date'; echo '420780,140250,Burglary,2024-01'; } > in.csv
t 1 "incidents '.*in\.csv': no column 'east' \(given by --x\)" '' inc in.csv --x east --y n

new police_column_missing; { echo "${H/Longitude,/}"; good; } > in.csv
# not police.uk any more (Longitude missing): no coordinate columns
t 1 "incidents '.*in\.csv': no coordinate columns" '' inc in.csv

new binary_garbage; head -c 4096 /dev/urandom > in.csv; printf '\0\0\0' >> in.csv
t 1 "incidents '.*in\.csv': not a CSV file \(binary data" '' inc in.csv

new binary_after_header; { echo "$H"; for i in $(seq 40); do good; done; printf 'PK\3\4\0\0\x89PNG\0\0\n'; good; } > in.csv
# a damaged line: skipped and counted, with its file and line; the rest read
t 0 "1 row\(s\) skipped: binary data.*in\.csv line 42: a NUL or control byte" 'rows_read=42;rows_kept=41;skipped: binary data=1' inc in.csv

# ---- damaged and foreign files ---------------------------------------------
# A garbage line inside an otherwise good police.uk month, in a small file
# (read by one thread) and in a 9 MB one (by several, split at line ends):
# the counts equal those of the clean file, run here too.
P=$D/policeuk/2024-05/2024-05-demoshire-street.csv
# one line of garbage; with a quote (read by one thread) or without
garbage() { printf '\x89PNG\x1a\0\0\0IHDR\0\x05%sab,c\x01\xff\n' "${1-\"}"; }
new binary_line_small; cp "$P" clean.csv; { head -n 400 "$P"; garbage; tail -n +401 "$P"; } > in.csv
inc clean.csv > /dev/null 2>&1; mv out.gpkg keep-clean.gpkg; rm -f out.qgz
t 0 "in\.csv line 401: a NUL or control byte" "rows_read=$(($(wc -l < "$P")));skipped: binary data=1;layer:SELECT count(*) FROM incidents=$(sqlite3 keep-clean.gpkg 'SELECT count(*) FROM incidents');layer:SELECT group_concat(count) FROM rates_asb=$(sqlite3 keep-clean.gpkg 'SELECT group_concat(count) FROM rates_asb')" inc in.csv
new binary_line_split
{ head -n 1 "$P"; for i in $(seq 80); do tail -n +2 "$P"; done; } > clean.csv
{ head -n 5001 clean.csv; garbage ''; tail -n +5002 clean.csv; } > in.csv
[ "$(stat -c %s in.csv)" -gt 8388608 ] || echo "FAIL binary_line_split: the file is under 8 MB"
inc clean.csv > /dev/null 2>&1; mv out.gpkg keep-clean.gpkg; rm -f out.qgz
t 0 "in\.csv line 5002: a NUL or control byte" "skipped: binary data=1;rows_kept=$(sqlite3 keep-clean.gpkg "SELECT value FROM run WHERE key='rows_kept'");layer:SELECT group_concat(count) FROM rates_violence=$(sqlite3 keep-clean.gpkg 'SELECT group_concat(count) FROM rates_violence')" inc in.csv

new excel_xlsx_as_csv; python3 -c "
import zipfile; z = zipfile.ZipFile('in.csv', 'w')
z.writestr('[Content_Types].xml', '<Types/>'); z.writestr('xl/workbook.xml', '<workbook/>'); z.close()"
t 1 "incidents '.*in\.csv': this is an Excel workbook \(\.xlsx\), not a CSV file: save it as CSV" '' inc in.csv
new excel_xls_as_csv; { printf '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'; head -c 2000 /dev/zero; } > in.csv
t 1 "incidents '.*in\.csv': this is an Excel workbook \(\.xls\), not a CSV file: save it as CSV" '' inc in.csv
new zip_as_csv; { echo "$H"; good; } > month.csv; python3 -c "
import zipfile; z = zipfile.ZipFile('in.csv', 'w'); z.write('month.csv'); z.close()"
t 1 "incidents '.*in\.csv': this is a ZIP archive, not a CSV file: unzip it first" '' inc in.csv
new utf16_as_csv; { echo "$H"; good; } | iconv -f UTF-8 -t UTF-16 > in.csv
t 1 "incidents '.*in\.csv': this is UTF-16 text" '' inc in.csv

# Windows-1252 (Excel's CSV on UK office PCs): transcoded, not '?'
new windows_1252; { echo "$H"; good; printf ',2024-01,D,D,-1.700165,51.173183,On or near \x93Caf\xe9\x94 \xa3\x80 \x81Row,E0,C,Burglary,,\n'; row 2024-01 -1.7 51.17 $'Burgl\xffary'; } > in.csv
t 0 "incidents '.*in\.csv': read as Windows-1252: 2 row\(s\).*in\.csv line 3: field Location: not UTF-8, read as Windows-1252 \(bytes undefined there replaced by '\?'\).*crime type 'Burglÿary', which is not in the category mapping" "rows_kept=3;text_not_utf8=2;unknown_crime_type=1;layer:SELECT location FROM incidents WHERE source_row=3=On or near “Café” £€ ?Row" inc in.csv

# semicolon- and tab-separated files (header-detected, as GDAL's AUTO)
for sep in semicolon tab; do
    new "${sep}_separated"
    python3 - "$P" "$sep" <<'PY'
import csv, sys
d = ';' if sys.argv[2] == 'semicolon' else '\t'
rows = list(csv.reader(open(sys.argv[1], newline='')))
csv.writer(open('in.csv', 'w', newline=''), delimiter=d).writerows(rows)
PY
    cp "$P" clean.csv; inc clean.csv > /dev/null 2>&1; mv out.gpkg keep-clean.gpkg; rm -f out.qgz
    t 0 "note: incidents '.*in\.csv': fields separated by ${sep}s \(detected from the header" "rows_kept=$(sqlite3 keep-clean.gpkg "SELECT value FROM run WHERE key='rows_kept'");layer:SELECT group_concat(count) FROM rates_sac=$(sqlite3 keep-clean.gpkg 'SELECT group_concat(count) FROM rates_sac')" inc in.csv
done

new unterminated_quote; { echo "$H"; good; printf ',2024-01,D,D,-1.7,51.17,"On or near High Street,E0,C,Burglary,,\n'; } > in.csv
t 1 "'in\.csv' line 3: unterminated quoted field" '' inc in.csv

new very_long_line; { echo "$H"; good; printf ',2024-01,D,D,-1.7,51.17,'; head -c 1100000 /dev/zero | tr '\0' x; printf ',E0,C,Burglary,,\n'; } > in.csv
t 1 "'in\.csv' line 3: record longer than 1048576 bytes" '' inc in.csv

new missing_file
t 1 "incidents 'nope\.csv': No such file or directory" '' inc nope.csv

new directory_without_csv; mkdir -p dir; echo hello > dir/readme.txt
t 1 "incidents 'dir': no CSV files in this folder" '' inc dir

new directory_named_csv; mkdir -p fake.csv
t 1 "incidents 'fake\.csv': no CSV files in this folder" '' inc fake.csv

new unreadable_file; { echo "$H"; good; } > in.csv; chmod 000 in.csv
if [ "$(id -u)" = 0 ]; then
    echo "skip $NAME: running as root, chmod 000 does not stop reading"
else
    t 1 "cannot open 'in\.csv': Permission denied" '' inc in.csv
fi
# Works as root too: a file that opens but whose reads fail (EIO).
new unreadable_contents; ln -s /proc/self/mem in.csv
t 1 "cannot read 'in\.csv'" '' inc in.csv

# ---- incident rows: skipped and counted by reason ------------------------

new wrong_field_count; { echo "$H"; good; echo ',2024-01,x,y,-1.7,51.17'; } > in.csv
t 0 "in\.csv line 3: expected 12 fields, found 6" 'rows_read=2;rows_kept=1;skipped: wrong number of fields=1' inc in.csv

new coord_not_number; { echo "$H"; good; row 2024-01 abc 51.17 Burglary; } > in.csv
t 0 "in\.csv line 3: coordinates 'abc', '51\.17' are not numbers" 'rows_kept=1;skipped: bad coordinates=1' inc in.csv

new coord_nan; { echo "$H"; good; row 2024-01 NaN 51.17 Burglary; row 2024-01 -1.7 nan Burglary; } > in.csv
t 0 "in\.csv line 3: coordinates 'NaN', '51\.17' are not numbers" 'rows_kept=1;skipped: bad coordinates=2' inc in.csv

new coord_infinite; { echo "$H"; good; row 2024-01 inf 51.17 Burglary; row 2024-01 -1.7 -Infinity Burglary; row 2024-01 1e999 51 Burglary; } > in.csv
t 0 "in\.csv line 3: coordinates 'inf', '51\.17' are not numbers" 'rows_kept=1;skipped: bad coordinates=3' inc in.csv

new coord_out_of_range; { echo "$H"; good; row 2024-01 -1.7 95.5 Burglary; row 2024-01 181 51 Burglary; } > in.csv
t 0 "in\.csv line 3: longitude -1\.7, latitude 95\.5 out of range" 'rows_kept=1;skipped: bad coordinates=2' inc in.csv

new coord_zero_zero; { echo "$H"; good; row 2024-01 0 0 Burglary; row 2024-01 0.0 0.000 Burglary; } > in.csv
t 0 "in\.csv line 3: coordinates \(0, 0\) are a placeholder" 'rows_kept=1;skipped: bad coordinates=2' inc in.csv

new lon_lat_swapped; { echo "$H"; row 2024-01 51.173183 -1.700165 Burglary; row 2024-01 51.17 -1.71 Robbery; } > in.csv
t 0 "incidents '.*in\.csv': none of its 2 located rows lies in any area.*swapped" 'rows_kept=2;in_period_outside_areas=2;in_period_assigned=0' inc in.csv

new bng_in_wgs84_file; { echo "$H"; good; row 2024-01 420780 140250 Burglary; } > in.csv
t 0 "in\.csv line 3: longitude 420780, latitude 140250 out of range \(metres of a projected CRS such as British National Grid\?" 'rows_kept=1;skipped: bad coordinates=1' inc in.csv

new wgs84_in_bng_file; { echo 'easting,northing,category,date'; echo '-1.700165,51.173183,Burglary,2024-01'; echo '-1.71,51.17,Robbery,2024-01'; } > in.csv
t 0 "incidents '.*in\.csv': none of its 2 located rows lies in any area.*EPSG:27700" 'rows_kept=2;in_period_assigned=0' inc in.csv

new wgs84_declared_projected; { echo 'longitude,latitude,category,date'; echo '-1.7,51.17,Burglary,2024-01'; } > in.csv
t 2 "incidents '.*in\.csv': columns are longitude/latitude but --incidents-crs 'EPSG:27700' is projected" '' inc in.csv --incidents-crs EPSG:27700

new no_location_kept; { echo "$H"; good; row 2024-01 '' '' Burglary; } > in.csv
t 0 "" 'rows_kept=2;no_location=1;skipped: bad coordinates=0' inc in.csv

new half_location; { echo "$H"; good; row 2024-01 '' 51.17 Burglary; } > in.csv
t 0 "in\.csv line 3: coordinates '', '51\.17' are not numbers" 'rows_kept=1;skipped: bad coordinates=1' inc in.csv

new month_unreadable; { echo "$H"; good; row 2024-13 -1.7 51.17 Burglary; row Jan-24 -1.7 51.17 Burglary; row '' -1.7 51.17 Burglary; } > in.csv
t 0 "in\.csv line 3: field Month: '2024-13' is not a month" 'rows_kept=1;skipped: month or date not readable=3' inc in.csv

new date_unreadable; { echo 'x,y,category,date'; echo '420780,140250,Burglary,2024-01-05'; echo '420780,140250,Burglary,31/02/2024'; echo '420780,140250,Burglary,02/30/2024'; } > in.csv
t 0 "in\.csv line 3: field date: '31/02/2024' is not a month" 'rows_kept=1;skipped: month or date not readable=2' inc in.csv

new time_unreadable; { echo 'x,y,category,date,time'; echo '420780,140250,Burglary,2024-01-05,10:30'; echo '420780,140250,Burglary,2024-01-05,25:61'; } > in.csv
t 0 "in\.csv line 3: field time: '25:61' is not HH:MM" 'rows_kept=1;skipped: month or date not readable=1' inc in.csv --time time

new future_month; { echo "$H"; good; row 2099-01 -1.7 51.17 Burglary; } > in.csv
t 0 "in\.csv line 3: '2099-01' is in the future" 'rows_kept=1;skipped: dated in the future=1' inc in.csv

new unknown_crime_type; { echo "$H"; good; row 2024-01 -1.7 51.17 'Alien abduction'; row 2024-01 -1.7 51.17 'Alien abduction'; } > in.csv
t 0 "2 row\(s\) have crime type 'Alien abduction', which is not in the category mapping: kept" 'rows_kept=3;unknown_crime_type=2' inc in.csv

new empty_crime_type; { echo "$H"; good; row 2024-01 -1.7 51.17 '  '; } > in.csv
t 0 "in\.csv line 3: empty crime type" 'rows_kept=1;skipped: no crime type=1' inc in.csv

new bad_weight; { echo 'x,y,category,date,w'; echo '420780,140250,Burglary,2024-01,1'; echo '420780,140250,Burglary,2024-01,-2'; echo '420780,140250,Burglary,2024-01,nan'; echo '420780,140250,Burglary,2024-01,lots'; } > in.csv
t 0 "in\.csv line 3: weight '-2' is not a number >= 0" 'rows_kept=1;skipped: bad weight=3' inc in.csv --weight w

new all_rows_bad; { echo "$H"; row 2024-01 abc def Burglary; row 2024-99 -1.7 51.1 Burglary; } > in.csv
t 1 "2 row\(s\) skipped|no usable incidents in 1 file\(s\) \(2 rows read\)" '' inc in.csv

new ogr_points_bad_geometry
poly_fc '{"type":"Feature","properties":{"category":"Burglary","date":"2024-01"},"geometry":{"type":"LineString","coordinates":[[421000,141500],[421100,141600]]}},{"type":"Feature","properties":{"category":"Burglary","date":"2024-01"},"geometry":{"type":"Point","coordinates":[421058,141592]}},{"type":"Feature","properties":{"category":"Burglary","date":"2024-13"},"geometry":{"type":"Point","coordinates":[421058,141592]}},{"type":"Feature","properties":{"category":"Burglary","date":"2024-01"},"geometry":null}' > pts.geojson
t 0 "pts\.geojson feature 2: field date: '2024-13' is not a month.*pts\.geojson feature 0: geometry is not a point" 'rows_read=4;rows_kept=2;no_location=1;skipped: bad coordinates=1;skipped: month or date not readable=1' inc pts.geojson

# ---- encodings and CSV syntax ---------------------------------------------

# Over 8 MB without quotes, a file is parsed by several threads: the counts,
# line numbers and examples must be those of one thread.
new split_file_bad_rows
{ echo "$H"; for i in $(seq 30000); do good; done; row 2024-99 -1.7 51.17 Burglary
  for i in $(seq 30000); do good; done; row 2024-01 -1.7 51.17 $'Caf\xe9'; } > in.csv
t 0 "in\.csv line 30002: field Month: '2024-99' is not a month.*in\.csv line 60003: field crime type: not UTF-8, read as Windows-1252" 'rows_read=60002;rows_kept=60001;skipped: month or date not readable=1;text_not_utf8=1;unknown_crime_type=1' inc in.csv

new utf8_bom; { printf '\xef\xbb\xbf'; echo "$H"; good; } > in.csv
t 0 "" 'rows_read=1;rows_kept=1;layer:SELECT count(*) FROM incidents WHERE area_id IS NOT NULL=1' inc in.csv

new mixed_line_ends; { printf '%s\r\n' "$H"; good | tr -d '\n'; printf '\r\n'; good | tr -d '\n'; printf '\r'; good; } > in.csv
t 0 "" 'rows_read=3;rows_kept=3;layer:SELECT group_concat(source_row) FROM incidents=2,3,4' inc in.csv

new quotes_and_commas; { echo "$H"; printf ',2024-01,D,D,-1.700165,51.173183,"On or near ""The Crown"", High St",E0,C,"Anti-social behaviour",,\n'; } > in.csv
t 0 "" 'rows_kept=1;layer:SELECT location FROM incidents=On or near "The Crown", High St' inc in.csv

new quoted_newline; { echo "$H"; printf ',2024-01,D,D,-1.700165,51.173183,"On or near\nHigh St",E0,C,Burglary,,\n'; good; } > in.csv
t 0 "" 'rows_read=2;rows_kept=2;layer:SELECT group_concat(source_row) FROM incidents=2,4' inc in.csv

new invalid_utf8; { echo "$H"; good; printf ',2024-01,D,D,-1.700165,51.173183,On or near Caf\xe9 Row,E0,C,Burglary,,\n'; row 2024-01 -1.7 51.17 $'Burgl\x81ary'; } > in.csv
t 0 "2 row\(s\) have text that is not UTF-8: kept, read as Windows-1252.*in\.csv line 3: field Location: not UTF-8, read as Windows-1252.*in\.csv line 4: field crime type: not UTF-8, read as Windows-1252 \(bytes undefined there replaced by '\?'\).*crime type 'Burgl\?ary', which is not in the category mapping" "rows_kept=3;text_not_utf8=2;unknown_crime_type=1;layer:SELECT location FROM incidents WHERE source_row=3=On or near Café Row" inc in.csv

# ---- duplicates ------------------------------------------------------------
# Each duplicated input against the clean input, both run here: the counts
# must be the clean run's (rates of every area, rows kept), never doubled.
rates() { for g in asb sac violence; do sqlite3 "$1" "SELECT group_concat(area_id || ':' || count || '/' || coalesce(prev_count, '-')) FROM rates_$g"; done; }
same_rates() { [ "$(rates "$C/$1")" = "$(rates "$C/$2")" ] || { echo "    $1 and $2 differ"; return 1; }; }
rows() { echo $(($(wc -l < "$1") - 1)); }
months() { for m in "$@"; do cp "$D/policeuk/$m/"*.csv .; done; }

new dup_identical_copy; mkdir dl clean; (cd clean && months 2024-01 2024-02 2024-03); cp clean/*.csv dl/
cp dl/2024-02-demoshire-street.csv "dl/2024-02-demoshire-street (1).csv"
n1=$(rows clean/2024-01-demoshire-street.csv) n2=$(rows clean/2024-02-demoshire-street.csv) n3=$(rows clean/2024-03-demoshire-street.csv)
inc clean > /dev/null 2>&1; mv out.gpkg keep-clean.gpkg; rm -f out.qgz
t 0 "incidents 'dl/2024-02-demoshire-street.csv': the same bytes as 'dl/2024-02-demoshire-street \(1\)\.csv'.*read once" "files=4;skipped: identical file=$n2;rows_kept=$((n1 + n2 + n3))" inc dl
also "counts equal the clean run's" same_rates keep-clean.gpkg out.gpkg
also "the summary says how many were dropped" grep -q "skipped ($n2 of them dropped as duplicates)" "$C/stdout"
also "the run table says which file was not read" test "$(sqlite3 "$C/out.gpkg" "SELECT value FROM run WHERE key = 'dl/2024-02-demoshire-street.csv'" | grep -c 'identical to dl/2024-02-demoshire-street (1).csv: not read')" = 1

# Two overlapping downloads: dl1 has Jan-Mar, dl2 Feb-Apr; dl2's February
# was re-supplied (every tenth row gone), its March is the same file.
new dup_overlapping_downloads; mkdir dl1 dl2 last first
(cd dl1 && months 2024-01 2024-02 2024-03); (cd dl2 && months 2024-02 2024-03 2024-04)
awk 'NR == 1 || NR % 10' dl1/2024-02-demoshire-street.csv > dl2/2024-02-demoshire-street.csv
cp dl1/2024-01-* last/; cp dl2/* last/; cp dl1/* first/; cp dl2/2024-04-* first/
r1=$(rows dl1/2024-01-demoshire-street.csv) r2=$(rows dl1/2024-02-demoshire-street.csv) r3=$(rows dl1/2024-03-demoshire-street.csv)
s2=$(rows dl2/2024-02-demoshire-street.csv) s3=$(rows dl2/2024-03-demoshire-street.csv) s4=$(rows dl2/2024-04-demoshire-street.csv)
inc last > /dev/null 2>&1; mv out.gpkg keep-last.gpkg; rm -f out.qgz; inc first > /dev/null 2>&1; mv out.gpkg keep-first.gpkg; rm -f out.qgz
t 0 "incidents 'dl1/2024-02-demoshire-street.csv': Demoshire Police 2024-02 also in 'dl2/2024-02-demoshire-street.csv', taken from there \(--duplicates last\): $r2 row\(s\) skipped here as duplicate force-month" "skipped: duplicate force-month=$r2;skipped: identical file=$s3;layer:SELECT value FROM run WHERE section = 'parameter' AND key = 'duplicates'=last" inc dl1 dl2
also "last: the counts of dl1's January and all of dl2" same_rates keep-last.gpkg out.gpkg
t 0 "Demoshire Police 2024-02 also in 'dl1/2024-02-demoshire-street.csv', taken from there \(--duplicates first\)" "skipped: duplicate force-month=$s2" inc dl1 dl2 --duplicates first
also "first: the counts of all of dl1 and dl2's April" same_rates keep-first.gpkg out.gpkg
also "first differs from last (the test can tell them apart)" test "$(rates "$C/keep-last.gpkg")" != "$(rates "$C/keep-first.gpkg")"
t 0 "the same bytes as 'dl1/2024-03-demoshire-street.csv': read again \(--duplicates keep\).*both hold Demoshire Police 2024-02: both kept" "rows_kept=$((r1 + r2 + r3 + s2 + s3 + s4));skipped: duplicate force-month=0;skipped: identical file=0" inc dl1 dl2 --duplicates keep
rm -f "$C"/out.*
t 2 "--duplicates 'twice': give last, first or keep" '' inc dl1 --duplicates twice

# A force extract with a unique reference (--id): three rows exported twice,
# the second time with the location corrected (moved 10 m east).
X=$D/local/demoshire-extract-2023-2024.csv
new dup_extract_id; cp "$X" clean.csv
{ cat "$X"; sed -n '2,4p' "$X" | awk -F, -v OFS=, '{ $6 += 10; print }'; } > in.csv
ex() { "$BIN" run --incidents "$@" --category offence_code --date occurred_date --time occurred_time --x easting --y northing --incidents-crs EPSG:27700 --areas "$D/boards.geojson" --area-id board_id --kde no -o out.gpkg; }
ex clean.csv > /dev/null 2>&1; mv out.gpkg keep-clean.gpkg; rm -f out.qgz
NX=$(rows "$X")
t 0 "3 row\(s\) repeat a crime reference \(--id incident_ref\): each kept on its last row" "rows_read=$((NX + 3));rows_kept=$NX;skipped: duplicate id=3;layer:SELECT count(*) FROM incidents WHERE source_row > $((NX + 1))=3;layer:SELECT count(*) FROM incidents WHERE source_row BETWEEN 2 AND 4=0" ex in.csv --id incident_ref
also "counts equal the clean run's" same_rates keep-clean.gpkg out.gpkg
t 0 "each kept on its first row" "rows_kept=$NX;skipped: duplicate id=3;layer:SELECT count(*) FROM incidents WHERE source_row > $((NX + 1))=0" ex in.csv --id incident_ref --duplicates first
also "counts equal the clean run's" same_rates keep-clean.gpkg out.gpkg
t 0 "" "rows_kept=$((NX + 3));skipped: duplicate id=0" ex in.csv
rm -f "$C"/out.*
t 1 "incidents '.*in\.csv': no column 'ref' \(given by --id\)" '' ex in.csv --id ref
# without --id, a file given twice (a copy under another name) is still read once
new dup_extract_copy; cp "$X" a.csv; cp "$X" b.csv
t 0 "the same bytes as 'a\.csv'" "rows_kept=$(rows "$X");skipped: identical file=$(rows "$X")" ex a.csv b.csv

# ---- back-test options: usage errors (2), nothing written -------------------
new backtest_options; { echo "$H"; good; } > in.csv
t 2 "--backtest-train '0': give a number of months, 1\.\.60" '' inc in.csv --backtest-train 0
t 2 "--backtest-windows 'x': give a number of windows" '' inc in.csv --backtest-windows x
t 2 "--backtest-bandwidths '': give up to 32 increasing bandwidths" '' inc in.csv --backtest-bandwidths ''
t 2 "--backtest-bandwidths '200,100': give up to 32 increasing bandwidths" '' inc in.csv --backtest-bandwidths 200,100
t 2 "--backtest-bandwidths '100,100': give up to 32" '' inc in.csv --backtest-bandwidths 100,100
t 2 "--bandwidth 'best': give metres \(> 0\), backtest, auto or knn:K" '' inc in.csv --bandwidth best
t 2 "--kde-edge 'both': use clip or buffer" '' inc in.csv --kde-edge both
t 2 "--hotspot-min-incidents '2\.5': give a whole number >= 0" '' inc in.csv --hotspot-min-incidents 2.5

# ---- Gi* options: usage errors (2), nothing written ---------------------------
t 2 "--gistar 'maybe': use yes or no" '' inc in.csv --gistar maybe
t 2 "--gi-cell '0': give metres above 0 or auto" '' inc in.csv --gi-cell 0
t 2 "--gi-distance 'near': give metres above 0 or auto" '' inc in.csv --gi-distance near
t 2 "--gi-permutations '100000': give a whole number, 0 to 99999" '' inc in.csv --gi-permutations 100000
t 2 "--gi-seed '1\.5': give a whole number >= 0" '' inc in.csv --gi-seed 1.5
t 2 "--gi-fdr 'bh': use yes or no" '' inc in.csv --gi-fdr bh
t 2 "--gi-grid 'hexagon': use square or hex" '' inc in.csv --gi-grid hexagon
t 2 "--emerging 'later': use yes or no" '' inc in.csv --emerging later
t 2 "--emerging-permutations 'many': give a whole number, 0 to 99999" '' inc in.csv --emerging-permutations many
t 2 "--lisa 'y': use yes or no" '' inc in.csv --lisa y
t 2 "--lisa-permutations '0': give a whole number, 1 to 99999" '' inc in.csv --lisa-permutations 0
t 2 "--when 'Funday 20:00-02:00': 'Funday 20:00-02:00' does not start with a day" '' inc in.csv --when 'Funday 20:00-02:00'

# ---- --period: usage errors (2), nothing written ----------------------------
t 2 "--period 'fy2024q5': a quarter is q1 to q4" '' inc in.csv --period fy2024q5
t 2 "--period 'last-year': not a period; give YYYY-MM, FROM:TO, YYYY, YYYYqN, fyYYYY, fyYYYYqN, fyYYYY-ytd or YYYY-ytd" '' inc in.csv --period last-year
t 2 "--period '2024/25': write a financial year as fy and the year it starts in: fy2024" '' inc in.csv --period 2024/25
t 2 "--period 'fy2024' names the whole period: give it or --from/--to, not both" '' inc in.csv --period fy2024 --from 2024-01
t 2 "--period '2024q1' names the whole period" '' inc in.csv --to 2024-03 --period 2024q1
# a year to date whose year starts after the data (the good row is 2024-01)
t 2 "--period 'fy2024-ytd': the financial year 2024 starts in 2024-04, after the last month in the data \(2024-01\)" '' inc in.csv --period fy2024-ytd
t 2 "--period 'fy2024-ytd': hotspot kde takes a fixed period" '' kde --incidents in.csv --period fy2024-ytd --bandwidth 500 --cell 100 -o out.tif

t 2 "--peak-hours '0': give a whole number of hours, 1 to 24" '' inc in.csv --peak-hours 0
t 2 "--peak-hours '25': give a whole number of hours, 1 to 24" '' inc in.csv --peak-hours 25
t 2 "--end-time needs --start-time" '' inc in.csv --end-time occurred_to
t 2 "--start-time is the date and time an incident began: give it instead of --date" '' inc in.csv --start-time a --date b

# ---- from/to windows (--start-time, --end-time) ------------------------------
new windows
{ echo "ref,code,start,end,x,y"
  echo "1,8N,2024-03-01 22:00,2024-03-02 02:00,383000,170000"   # 4 h
  echo "2,8N,2024-03-01 22:00,,383000,170000"                   # no end
  echo "3,8N,2024-03-01 22:00,2024-03-01 21:00,383000,170000"   # reversed
  echo "4,8N,2024-03-01 22:00,2024-03-02,383000,170000"         # a date: end of day
  echo "5,8N,2024-03-01 22:00,soon,383000,170000"               # unreadable: skipped
  echo "6,8N,2024-03-01 22:00,2024-03,383000,170000"            # a month: skipped
} > win.csv
win() { "$BIN" run --incidents win.csv --category code --start-time start --end-time "$@" --x x --y y --incidents-crs EPSG:27700 --areas "$D/boards.geojson" --area-id board_id --kde no -o out.gpkg; }
t 0 "2 row\(s\) skipped: month or date not readable.*win\.csv line 6: end time \(--end-time\) 'soon' is not a date or date-time" "rows_kept=4;skipped: month or date not readable=2" win end
rm -f "$C"/out.*
t 1 "incidents '.*win\.csv': no column 'finish' \(given by --end-time\)" '' win finish
rm -f "$C"/out.*

# ---- areas -----------------------------------------------------------------

new areas_missing; { echo "$H"; good; } > in.csv
t 1 "areas 'nope\.geojson': cannot open as a vector file: No such file or directory" '' run --incidents in.csv --areas nope.geojson --area-id id -o out.gpkg

new areas_not_vector; { echo "$H"; good; } > in.csv; head -c 2000 /dev/urandom > areas.geojson
t 1 "areas 'areas\.geojson': cannot open as a vector file: not a format GDAL reads" '' run --incidents in.csv --areas areas.geojson --area-id id -o out.gpkg

new areas_directory; { echo "$H"; good; } > in.csv; mkdir -p adir
t 1 "areas 'adir': cannot open as a vector file: not a format GDAL reads" '' run --incidents in.csv --areas adir --area-id id -o out.gpkg

new area_id_field_missing; { echo "$H"; good; } > in.csv
t 1 "areas '.*boards\.geojson': no field 'ward_code' \(fields: board_id, board_name\)" '' run --incidents in.csv --areas "$D/boards.geojson" --area-id ward_code -o out.gpkg

new areas_layer_missing; { echo "$H"; good; } > in.csv
t 1 "areas '.*boards\.geojson': no layer 'wards'" '' run --incidents in.csv --areas "$D/boards.geojson" --areas-layer wards --area-id board_id -o out.gpkg

new areas_no_features; { echo "$H"; good; } > in.csv; poly_fc '' > a.geojson
t 1 "areas 'a\.geojson': layer 'a' has no features" '' run --incidents in.csv --areas a.geojson --area-id id -o out.gpkg

new self_intersecting_polygon; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' Bowtie 1000 '{"type":"Polygon","coordinates":[[[420000,139000],[422000,141000],[422000,139000],[420000,141000],[420000,139000]]]}'),$(feat '"A2"' Square 1000 "$(sq 430000 130000 431000 131000)")" > a.geojson
t 0 "areas '.*a\.geojson' feature 0 \(id 'A1'\): invalid polygon.*(Self-intersection|self-intersect)" 'areas=2' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

new empty_geometry; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' Empty 1000 null),$(feat '"A2"' Square 1000 "$(sq 420000 141000 422000 142000)")" > a.geojson
t 0 "areas 'a\.geojson' feature 0 \(id 'A1'\): no geometry; skipped" 'areas=1' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

new not_a_polygon; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' Line 1000 '{"type":"LineString","coordinates":[[420000,139000],[422000,141000]]}'),$(feat '"A2"' Square 1000 "$(sq 420000 141000 422000 142000)")" > a.geojson
t 0 "areas '.*a\.geojson' feature 0 \(id 'A1'\): .*not a polygon.*skipped" 'areas=1' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

new degenerate_polygon; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' Flat 1000 '{"type":"Polygon","coordinates":[[[420000,139000],[422000,139000],[421000,139000],[420000,139000]]]}'),$(feat '"A2"' Square 1000 "$(sq 420000 141000 422000 142000)")" > a.geojson
t 0 "areas '.*a\.geojson' feature 0 \(id 'A1'\): .*nothing left" 'areas=1' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

new overlapping_polygons; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' West 1000 "$(sq 420000 141000 421500 142000)"),$(feat '"A2"' East 1000 "$(sq 420500 141000 422000 142000)")" > a.geojson
t 0 "areas '.*a\.geojson': 'A1' and 'A2' overlap by 1000000 m2" 'area_overlaps=1;layer:SELECT area_id FROM incidents=A1' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

new duplicate_area_ids; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' West 1000 "$(sq 420000 141000 421000 142000)"),$(feat '"A1"' East 1000 "$(sq 421000 141000 422000 142000)")" > a.geojson
t 1 "areas '.*a\.geojson': id 'A1' is used by features 0 and 1" '' run --incidents in.csv --areas a.geojson --area-id id -o out.gpkg

new empty_area_id; { echo "$H"; good; } > in.csv
poly_fc "$(feat null West 1000 "$(sq 420000 141000 421000 142000)"),$(feat '"A2"' East 1000 "$(sq 421000 141000 422000 142000)")" > a.geojson
t 0 "areas '.*a\.geojson' feature 0: empty id; skipped" 'areas=1' run --incidents in.csv --areas a.geojson --area-id id --kde no -o out.gpkg

# ---- population -----------------------------------------------------------

new population_zero_and_missing; { echo "$H"; good; } > in.csv
poly_fc "$(feat '"A1"' Zero 0 "$(sq 420000 141000 421000 142000)"),$(feat '"A2"' Missing null "$(sq 421000 141000 422000 142000)"),$(feat '"A3"' Some 500 "$(sq 430000 130000 431000 131000)")" > a.geojson
t 0 "area 'A1' \(Zero\) has no population.*" "layer:SELECT group_concat(coalesce(rate,'NULL') || ' ' || vs_study, '|') FROM rates_asb ORDER BY area_id=NULL no population|NULL no population|0.0 similar" run --incidents in.csv --areas a.geojson --area-id id --area-name name --population pop --kde no -o out.gpkg

# a number as the id and a negative population: the warning names both
# (the id's text outlives the population's, which OGR formats in the same
# buffer: a use after free until copied; ASan's build of this test)
new population_negative_numeric_id; { echo "$H"; good; } > in.csv
poly_fc "$(feat 101 Neg -5.5 "$(sq 420000 141000 421000 142000)"),$(feat 102 Some 500 "$(sq 430000 130000 431000 131000)")" > a.geojson
t 0 "feature 101 \\(id '101'\\): pop '-5.5' is not a population; treated as unknown" "" run --incidents in.csv --areas a.geojson --area-id id --area-name name --population pop --kde no -o out.gpkg

new population_none_at_all; { echo "$H"; good; } > in.csv
t 0 "18 areas in all have no population" "layer:SELECT count(*) FROM rates_asb WHERE rate IS NULL AND vs_study = 'no population'=18" inc in.csv
also "the summary counts the incident and says there is no rate, not nan" grep -Eq '^  asb +1 incidents; no rate: no area has a population$' "$C/stdout"

new population_csv_matches_nothing; { echo "$H"; good; } > in.csv; printf 'code,pop\nE0001,100\nE0002,200\n' > pop.csv
t 1 "population '.*pop\.csv': none of its 2 rows" '' inc in.csv --population pop.csv

new population_csv_empty; { echo "$H"; good; } > in.csv; : > pop.csv
t 1 "population 'pop\.csv': no data rows" '' inc in.csv --population pop.csv

new population_value_bad; { echo "$H"; good; } > in.csv; printf 'id,pop\nAB01,lots\nAB02,-5\nAB03,1000\n' > pop.csv
t 0 "population 'pop\.csv' line 2: 'lots' for area 'AB01' is not a population; area left without one.*line 3: '-5' for area 'AB02' is not a population" 'population_matched=1' inc in.csv --population pop.csv

new population_some_unmatched; { echo "$H"; good; } > in.csv; printf 'id,pop\nAB01,100\nZZ99,5\nE01000001,7\n' > pop.csv
t 0 "population 'pop\.csv': 2 row\(s\) match no area id \(e\.g\. 'ZZ99', 'E01000001'\): not used" 'population_rows=3;population_matched=1;population_unmatched=2' inc in.csv --population pop.csv

new population_duplicate_area; { echo "$H"; good; } > in.csv; printf 'id,pop\nAB01,100\nAB01,200\n' > pop.csv
t 1 "population '.*pop\.csv': area 'AB01' appears" '' inc in.csv --population pop.csv

new population_field_missing; { echo "$H"; good; } > in.csv
t 1 "population zones '.*zones\.geojson': no field 'residents'" '' inc in.csv --population "$D/zones.geojson" --population-value residents

# ---- CRS ----------------------------------------------------------------------

new crs_unresolvable; { echo "$H"; good; } > in.csv
t 2 "--crs 'EPSG:999999': cannot resolve this CRS" '' inc in.csv --crs EPSG:999999

new incidents_crs_unresolvable; { echo 'x,y,category,date'; echo '420780,140250,Burglary,2024-01'; } > in.csv
t 2 "--incidents-crs 'NOT:A:CRS'.*cannot resolve" '' inc in.csv --incidents-crs NOT:A:CRS

new areas_crs_unresolvable; { echo "$H"; good; } > in.csv
printf '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"features":[%s]}\n' "$(feat '"A1"' Sq 100 "$(sq 420000 141000 422000 142000)")" > a.geojson
t 1 "areas 'a\.geojson': its CRS cannot be resolved \(PROJ: proj_create: crs not found\)" '' run --incidents in.csv --areas a.geojson --area-id id -o out.gpkg

# ---- output -------------------------------------------------------------------

new output_folder_missing; { echo "$H"; good; } > in.csv
t 1 "output folder '.*nodir' of '.*nodir/out\.gpkg' does not exist" '' run --areas "$D/boards.geojson" --area-id board_id --kde no --incidents in.csv -o nodir/out.gpkg

new output_folder_is_file; { echo "$H"; good; } > in.csv; echo x > keep_file
t 1 "output folder 'keep_file' of 'keep_file/out\.gpkg' is a file, not a folder" '' run --areas "$D/boards.geojson" --area-id board_id --kde no --incidents in.csv -o keep_file/out.gpkg

new output_read_only; { echo "$H"; good; } > in.csv
# root can write to a chmod 555 folder; /proc refuses new files to everyone.
t 1 "output folder '/proc' is not writable|creating GeoPackage '/proc/hotspot-bad-input\.gpkg' \(as '/proc/\.hotspot-bad-input\.gpkg\.tmp-[0-9]+\.gpkg'\): .*unable to open database file" '' run --areas "$D/boards.geojson" --area-id board_id --kde no --incidents in.csv -o /proc/hotspot-bad-input.gpkg
also "nothing created in /proc" test ! -e /proc/hotspot-bad-input.gpkg

new output_not_geopackage; { echo "$H"; good; } > in.csv; echo 'area,count' > keep.csv; cp keep.csv keep.orig
t 1 "keep\.csv.*not a GeoPackage" '' run --areas "$D/boards.geojson" --area-id board_id --kde no --incidents in.csv -o keep.csv
also "the existing file is unchanged" cmp -s "$C/keep.csv" "$C/keep.orig"

new output_is_directory; { echo "$H"; good; } > in.csv; mkdir -p keep_dir.gpkg
t 1 "refusing to overwrite '.*keep_dir\.gpkg': it is a folder" '' run --areas "$D/boards.geojson" --area-id board_id --kde no --incidents in.csv -o keep_dir.gpkg

new kde_bad_rows; { echo 'x,y'; echo '420780,140250'; echo 'inf,140250'; echo '0,0'; } > in.csv
t 0 "in\.csv line 3: coordinates 'inf', '140250' are not numbers" '' kde --incidents in.csv --bandwidth 500 --cell 100 -o keep.tif
rm -f "$C/keep.tif"

# hotspot kde resolves --crs while it reads: a bad one is still the error,
# and nothing is written
new kde_crs_geographic; { echo 'x,y'; echo '420780,140250'; } > in.csv
t 2 "--crs 'EPSG:4326': give a projected CRS in metres" '' kde --incidents in.csv --crs EPSG:4326 --bandwidth 500 --cell 100 -o out.tif
new kde_crs_unknown; { echo 'x,y'; echo '420780,140250'; } > in.csv
t 2 "--crs 'EPSG:999999': give a projected CRS in metres" '' kde --incidents in.csv --crs EPSG:999999 --bandwidth 500 --cell 100 -o out.tif

# the GeoTIFF is made on a thread while the density is computed: what it
# refuses is still refused before, and the file there is left as it was
new kde_output_not_geotiff; { echo 'x,y'; echo '420780,140250'; } > in.csv; echo 'not a tiff' > keep.tif; cp keep.tif keep.orig
t 1 "refusing to overwrite '.*keep\.tif': it is not a GeoTIFF" '' kde --incidents in.csv --bandwidth 500 --cell 100 -o keep.tif
also "the existing file is unchanged" cmp -s "$C/keep.tif" "$C/keep.orig"
new kde_output_no_folder; { echo 'x,y'; echo '420780,140250'; } > in.csv
t 1 "output folder 'no/such' of 'no/such/out\.tif' does not exist" '' kde --incidents in.csv --bandwidth 500 --cell 100 -o no/such/out.tif

echo "$N cases, $FAILS failed"
[ "$FAILS" = 0 ]
