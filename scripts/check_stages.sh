#!/bin/sh
# Checks that src/ keeps its stage rules (src/README.md):
#  1. a library object uses functions only of its own stage folder and of the
#     folders in that folder's "may use" column of src/README.md's table;
#  2. no two source files call each other, directly or round a circle;
#  3. a file of src/<stage>/ includes headers ("stage/x.h") only of its own
#     folder and of the folders it may use; src/cli/ only the public API.
# Every folder of src/ has a row in that table, and no two sources share a
# name.  Calls are read from the library's object files with nm; the archive's
# members are named after their sources (csv.c.o), found under src/.
# Objects with no source under src/ (styles_data.c.o, generated from styles/)
# are data: any stage may use them and they may use nothing.
#
# usage: scripts/check_stages.sh LIBRARY.a [SRC_DIR]   (SRC_DIR: this src/)
# Exit 0 when every rule holds; 1 with each breach on stderr.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 LIBRARY.a [SRC_DIR]" >&2; exit 2; }
listing=$(mktemp)
trap 'rm -f "$listing" "$listing.edges"' EXIT
nm -A "$1" >"$listing" 2>/dev/null || { echo "$0: cannot read $1 with nm" >&2; exit 2; }
shift
src=${1:-$(dirname "$0")/../src}
[ -f "$src/README.md" ] || { echo "$0: no $src/README.md" >&2; exit 2; }

# The rules: "| `stage/` | what | may use |" rows of src/README.md.
rules=$(awk -F'|' '/^\| *`[a-z]+\/` *\|/ {
            s = $2; gsub(/[ `\/]/, "", s); u = $4; gsub(/^ +| +$/, "", u)
            if (u == "nothing" || u ~ /public API/) u = ""
            print s ":" u }' "$src/README.md")
[ -n "$rules" ] || { echo "$0: no stage table in $src/README.md" >&2; exit 2; }

# source file of each library object: "csv.c.o input/csv.c" (the CLI is
# not in the library)
files=$(cd "$src" && find . -mindepth 2 -name '*.c' ! -path './cli/*' | sed 's#^\./##' |
        awk -F/ '{ print $NF ".o " $0 }')

bad=0
# Every folder has a row, and a source's name says which file it is (the
# archive's members carry no folder).
for d in $(cd "$src" && find . -mindepth 1 -maxdepth 1 -type d | sed 's#^\./##' | sort); do
    printf '%s\n' "$rules" | grep -q "^$d:" ||
        { echo "check_stages: src/$d/ has no row in src/README.md's stage table" >&2; bad=1; }
done
dups=$(printf '%s\n' "$files" | awk '{ print $1 }' | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "check_stages: two sources share a name: $(echo $dups | sed 's/\.o//g')" >&2
    bad=1
fi

# 1 and 2: the file graph from nm ("lib.a:csv.c.o:0000 T hs_x", "...: U hs_y").
printf '%s\n' "$files" | awk -v rules="$(printf '%s\n' "$rules" | tr '\n' ';')" '
    NR == FNR { file[$1] = $2; next }
    {
        n = split($0, p, ":"); obj = p[n - 1]; f = p[n]
        m = split(f, w, " "); sym = w[m]; t = w[m - 1]
        if (t == "U") use[obj, sym] = 1
        else if (t ~ /^[TDBRVWC]$/) def[sym] = obj
    }
    END {
        nr = split(rules, r, ";")
        for (i = 1; i <= nr; i++) {
            split(r[i], kv, ":"); ok[kv[1], kv[1]] = 1
            nu = split(kv[2], u, " ")
            for (k = 1; k <= nu; k++) ok[kv[1], u[k]] = 1
        }
        for (key in use) {
            split(key, a, SUBSEP); o = a[1]; s = a[2]
            if (!(s in def) || def[s] == o) continue
            from = (o in file) ? file[o] : o; to = (def[s] in file) ? file[def[s]] : def[s]
            fs = (o in file) ? substr(from, 1, index(from, "/") - 1) : "data"
            ts = (def[s] in file) ? substr(to, 1, index(to, "/") - 1) : "data"
            if (ts != "data" && !((fs, ts) in ok))
                printf "BREACH %s uses %s of %s: %s/ may not use %s/\n", from, s, to, fs, ts
            print "EDGE", from, to
        }
    }' - "$listing" >"$listing.edges" || { echo "$0: reading $listing failed" >&2; exit 2; }
edges=$(sort -u "$listing.edges")
breaches=$(printf '%s\n' "$edges" | grep '^BREACH' || true)
if [ -n "$breaches" ]; then
    printf '%s\n' "$breaches" | sed 's/^BREACH /check_stages: /' >&2
    bad=1
fi
# tsort lists the files of a circle, after "input contains a loop"
loops=$(printf '%s\n' "$edges" | awk '$1 == "EDGE" { print $2, $3 }' | tsort 2>&1 >/dev/null || true)
if [ -n "$loops" ]; then
    printf '%s\n' "$loops" | sed 's/^tsort: -: /check_stages: calls go round a circle: /;
                                  s/^tsort: /check_stages:   /' >&2
    bad=1
fi

# 3: #include "stage/x.h" lines.
stages=$(printf '%s\n' "$rules" | cut -d: -f1 | tr '\n' ' ')
for f in $(cd "$src" && find . -mindepth 2 \( -name '*.c' -o -name '*.h' \) | sed 's#^\./##' | sort); do
    fs=${f%%/*}
    allowed="$fs $(printf '%s\n' "$rules" | awk -F: -v s="$fs" '$1 == s { print $2 }')"
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z]*\)\/.*/\1/p' "$src/$f"); do
        [ "$inc" = hotspot ] && continue # the public API: any file
        case " $stages " in *" $inc "*) ;; *) continue ;; esac
        case " $allowed " in
            *" $inc "*) ;;
            *) echo "check_stages: $f includes a header of $inc/: $fs/ may not use $inc/" >&2
               bad=1 ;;
        esac
    done
done
nfiles=$(printf '%s\n' "$files" | grep -c . || true)
nedges=$(printf '%s\n' "$edges" | grep -c '^EDGE' || true)
[ $bad = 0 ] && echo "check_stages: $nfiles files, $nedges calls between files: every stage rule holds"
exit $bad
