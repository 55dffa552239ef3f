#!/usr/bin/env python3
"""Generate the synthetic "Demoshire" demo data set for Hotspot.

Run from anywhere (paths are found from this file's location):

    python3 scripts/make_demo.py

and it (re)writes data/demo/.  The output is byte-for-byte reproducible: all
randomness comes from random.Random streams with fixed seeds, nothing
iterates over hash-ordered containers, and the only external programs used
(ogr2ogr from gdal-bin, cs2cs from proj-bin) are deterministic.  Python 3
standard library only.

The model, in the order the script builds it
---------------------------------------------
1. County.  A wavy closed outline (an ellipse with a few random harmonics)
   around E 383-447 km, N 123-197 km in British National Grid (EPSG:27700).
   Everything spatial is done on a 100 m lattice ("cells") covering it.

2. People.  A population density surface: 10 towns (a county town of ~62k,
   a few of ~20k, small market towns), 6 large villages that anchor rural
   area boards, ~80 ordinary villages, and a thin, smoothly varying rural
   background.  Towns are sums of flat-topped kernels (a core plus lobes)
   so they are not circles.  The surface is scaled so the county holds
   N_ZONES * 1,500 people.

3. Zones (LSOA-like), built the way ONS builds LSOAs.  ~3,000 small
   output-area-like cells of ~150 people (seeds from a population-balanced
   k-d split; each lattice cell goes to the nearest seed measured from a
   smoothly displaced position, so boundaries wiggle like real ones) are
   aggregated into contiguous zones of ~1,000-3,000 people (mean ~1,500):
   small in towns, large in open country.  One village is deliberately an
   enclave, wrapped by a single rural zone, so one zone has a hole.  Zone
   fragments are merged into neighbours and "pinches" (a label touching
   itself only at a corner) are removed, so every zone and every board is
   one valid Polygon.

4. Area boards.  18 boards grown over the zone adjacency graph from their
   main settlement (competitive Dijkstra), so each is a contiguous union of
   whole zones.  Zones are grouped into MSOA-like groups of ~5 inside each
   board, which gives ONS-style zone names ("Castleton 004B"), beat codes
   ("CAS04") and codes E01900001... in name order.

5. Polygons.  Cell boundaries are traced into shared arcs (between junction
   nodes), each arc is simplified once with Douglas-Peucker (so neighbours
   share exactly the same vertices), arcs that would cross or touch are
   re-simplified with a smaller tolerance, and zone and board rings are
   chained from the arcs (outer rings counter-clockwise, holes clockwise).
   Zones therefore tile the county exactly, with no gaps or overlaps.

6. Map points.  Like police.uk's anonymous map points: a few thousand snap
   points, dense along town streets and sparse in the countryside, each
   with a street or place name ("High Street", "Nightclub", ...).  Every
   point is at least SNAP_BOUNDARY_CLEARANCE metres from any zone boundary,
   so a slightly different BNG <-> WGS84 transformation cannot move it into
   another zone.

7. Incidents (24 months, 2023-01 .. 2024-12).  Sources, each with a monthly
   rate, a crime-type mix, a spatial sampler and time-of-day habits:
   residential background per zone (rate ~ population x urban factor x a
   random deprivation factor; rural zones use a rural mix), town-centre
   clusters (shoplifting, ASB, violence), night-time-economy (NTE) clusters
   (the county town's is the big one: violence, ASB, public order on
   Friday/Saturday nights), three estates with burglary/vehicle crime,
   retail parks (shoplifting), a three-month vehicle-crime spree at a car
   park, and a trickle of crimes the force records outside its area.
   Seasonality (ASB and bicycle theft peak in summer, burglary in winter)
   and deliberate trends (see TRENDS) multiply the rates; counts are
   Poisson draws.  Each incident gets a true location (the local extract's
   easting/northing), is snapped to its nearest map point for police.uk,
   and gets a Home Office offence code consistent with its police.uk type,
   a date and time, and a police.uk outcome.  Last, each local extract row
   gets a "committed from" / "committed to" window (occurred_from,
   occurred_to) that holds its true date and time, drawn from a stream of
   its own (WINDOW_SEED) in row order, so no other value depends on it:
   an exact time for crimes seen as they happen (violence, ASB,
   shoplifting, ...; ~10% get 10-60 minutes), overnight or working-day
   windows for burglary and vehicle crime (a few burglaries while the
   occupants were away 2-9 days, some over a week), exact or 1-12 hours
   for criminal damage, other theft and bicycle theft, the whole day for
   the unknown time 00:00, and ~1% empty and ~0.3% reversed ends.

8. Output.  Zones, boards and populations; one police.uk street CSV per
   month; the local extract (with its time windows); data/demo/README.md
   with the exact counts.
   Then self-checks: every police.uk point converted back to BNG falls in
   the zone its LSOA code names (outside rows fall outside the county), and
   (when GDAL's SQLite dialect has SpatiaLite) all polygons are valid and
   zone areas add up to the county's area.
"""

import bisect
import calendar
import csv
import datetime
import hashlib
import heapq
import io
import json
import math
import random
import shutil
import subprocess
import sys
import tempfile
from array import array
from collections import deque
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "data" / "demo"
CATEGORIES_CSV = REPO_ROOT / "data" / "categories.csv"

SEED = 27700                 # base seed; each stage uses its own stream
INCIDENT_SEED = 5            # incident stream: picked from 1-15 as the one whose
                             # realised trends come closest to TRENDS
FORCE = "Demoshire Police"

# ---------------------------------------------------------------------------
# Lattice and county
# ---------------------------------------------------------------------------
CELL = 100                   # lattice cell size, metres
GX0, GY0 = 376000, 116000    # lattice origin (south-west corner)
NX, NY = 780, 880            # lattice size in cells (78 km x 88 km)
COUNTY_CENTRE = (415000.0, 160000.0)
COUNTY_SEMI_AXES = (32000.0, 37000.0)

N_ZONES = 300                # sets the county population (N_ZONES * MEAN);
MEAN_ZONE_POP = 1500         # the zone count comes out close to N_ZONES
SIMPLIFY_TOLERANCE = 110.0   # metres, Douglas-Peucker on shared arcs
SNAP_BOUNDARY_CLEARANCE = 20.0

# ---------------------------------------------------------------------------
# Settlements.  Each board is named after (and grown from) its main place;
# the two "Villages" boards are grown from a point in open country.
#   name, board id, easting, northing, population (None: no main place)
# ---------------------------------------------------------------------------
BOARDS = [
    # id,     name,                   E,      N,      main-place population
    ("AB01", "Ashbury",              432000, 183000, 21000),
    ("AB02", "Brackenford",          396000, 179000, 24000),
    ("AB03", "Castleton",            421000, 141000, 62000),   # county town
    ("AB04", "Downs Villages",       409000, 145500, None),
    ("AB05", "Dunmere",              440000, 160000, 12000),
    ("AB06", "Elmstead",             406000, 131000, 8000),
    ("AB07", "Foxbourne",            429500, 133500, 6500),
    ("AB08", "Greywell",             393000, 143000, 2600),
    ("AB09", "Holmbury",             417000, 169000, 15000),
    ("AB10", "Kelmscombe",           415000, 191000, 5000),
    ("AB11", "Langmoor",             407000, 158000, 2800),
    ("AB12", "Marlcombe",            397000, 153000, 19000),
    ("AB13", "Netherby",             428000, 154000, 2400),
    ("AB14", "Orchardton",           389000, 166000, 2200),
    ("AB15", "Pelham Cross",         437000, 172000, 2500),
    ("AB16", "Redcombe",             403000, 188500, 2000),
    ("AB17", "Stowbridge",           417000, 129500, 9000),
    ("AB18", "Wyvern Vale Villages", 424500, 177500, None),
]
TOWN_MIN_POP = 4000          # main places at least this big are "towns"
BEAT_PREFIX = {
    "Ashbury": "ASH", "Brackenford": "BRA", "Castleton": "CAS",
    "Downs Villages": "DOW", "Dunmere": "DUN", "Elmstead": "ELM",
    "Foxbourne": "FOX", "Greywell": "GRE", "Holmbury": "HOL",
    "Kelmscombe": "KEL", "Langmoor": "LAN", "Marlcombe": "MAR",
    "Netherby": "NET", "Orchardton": "ORC", "Pelham Cross": "PEL",
    "Redcombe": "RED", "Stowbridge": "STO", "Wyvern Vale Villages": "WYV",
}
N_VILLAGES = 80
TOWN_DENSITY = 4000.0        # people per km2 in a town's built-up core
VILLAGE_DENSITY = 2500.0

# ---------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------
MONTHS = [(y, m) for y in (2023, 2024) for m in range(1, 13)]
TARGET_ROWS_PER_MONTH = 860  # expected police.uk rows per month (all sources)
OUTSIDE_SHARE = 0.005        # rows the force records outside its area

ASB = "Anti-social behaviour"
BIKE = "Bicycle theft"
BURG = "Burglary"
CD = "Criminal damage and arson"
DRUGS = "Drugs"
OTHER = "Other crime"
OTHEFT = "Other theft"
WEAP = "Possession of weapons"
PUBORD = "Public order"
ROBB = "Robbery"
SHOP = "Shoplifting"
TFP = "Theft from the person"
VEH = "Vehicle crime"
VIOL = "Violence and sexual offences"
CRIME_TYPES = [ASB, BIKE, BURG, CD, DRUGS, OTHER, OTHEFT, WEAP, PUBORD, ROBB,
               SHOP, TFP, VEH, VIOL]

# analysis group of each police.uk type, as in data/categories.csv
TYPE_GROUP = {
    ASB: "asb", BURG: "sac", ROBB: "sac", VEH: "sac", VIOL: "violence",
    BIKE: "bicycle-theft", CD: "criminal-damage", DRUGS: "drugs",
    OTHER: "other-crime", OTHEFT: "other-theft", WEAP: "weapons",
    PUBORD: "public-order", SHOP: "shoplifting", TFP: "theft-from-person",
}

# Crime-type mixes (relative weights) of each kind of source
MIX_RESIDENTIAL = {ASB: 42, VIOL: 31, CD: 11, BURG: 5.5, VEH: 6.5, OTHEFT: 5,
                   PUBORD: 4.5, DRUGS: 2, OTHER: 1.5, BIKE: 1.2, SHOP: 0.8,
                   ROBB: 0.4, TFP: 0.3, WEAP: 0.5}
MIX_RURAL = {ASB: 33, VIOL: 25, CD: 12, BURG: 10, VEH: 8.5, OTHEFT: 10,
             PUBORD: 3, DRUGS: 1, OTHER: 2, BIKE: 0.6, SHOP: 0.3, ROBB: 0.1,
             TFP: 0.1, WEAP: 0.3}
MIX_CENTRE = {SHOP: 19, ASB: 26, VIOL: 21, TFP: 6, PUBORD: 7, OTHEFT: 8,
              CD: 3, BIKE: 3.5, DRUGS: 2.5, ROBB: 1.2, WEAP: 0.8, VEH: 1.5,
              OTHER: 0.5, BURG: 0.5}
MIX_NTE = {VIOL: 44, ASB: 27, PUBORD: 13, DRUGS: 5, TFP: 4, ROBB: 2, WEAP: 2,
           CD: 2, OTHEFT: 1}
MIX_ESTATE = {BURG: 27, VEH: 28, CD: 16, ASB: 14, DRUGS: 5, VIOL: 6,
              OTHEFT: 2, BIKE: 2}
MIX_RETAIL = {SHOP: 85, OTHEFT: 6, VEH: 5, ASB: 4}
MIX_OUTSIDE = {VEH: 20, OTHEFT: 20, VIOL: 25, SHOP: 10, BURG: 8, CD: 7,
               DRUGS: 5, OTHER: 5}

# Deliberate trends: (board name or None for county-wide, type, year) -> factor
TRENDS = {
    ("Brackenford", ASB, 2024): 1.40,   # ASB up ~40% year on year
    ("Marlcombe", VIOL, 2024): 0.70,    # violence down ~30%
    (None, SHOP, 2024): 1.15,           # shoplifting up ~15% county-wide
}

# Seasonality: type -> (amplitude, peak month); factor 1 + a cos(...)
SEASON = {ASB: (0.30, 7), VIOL: (0.10, 7), BIKE: (0.35, 7), CD: (0.10, 7),
          BURG: (0.20, 12), VEH: (0.10, 12), PUBORD: (0.10, 7)}

# Home Office offence codes (a subset of data/categories.csv):
# code -> (analysis group, description)
CODE_INFO = {
    "28E": ("sac", "burglary - residential"),
    "28F": ("sac", "attempted burglary - residential"),
    "30C": ("sac", "burglary - business and community"),
    "30D": ("sac", "attempted burglary - business and community"),
    "34A": ("sac", "robbery of business property"),
    "34B": ("sac", "robbery of personal property"),
    "37.2": ("sac", "aggravated vehicle taking"),
    "45": ("sac", "theft from a vehicle"),
    "48": ("sac", "theft or unauthorised taking of a motor vehicle"),
    "126": ("sac", "interfering with a motor vehicle"),
    "2": ("violence", "attempted murder"),
    "3": ("violence", "threats to kill"),
    "5A": ("violence", "wounding with intent to do GBH"),
    "8L": ("violence", "harassment"),
    "8M": ("violence", "racially or religiously aggravated harassment"),
    "8N": ("violence", "assault with injury"),
    "8P": ("violence", "racially or religiously aggravated assault with injury"),
    "8Q": ("violence", "stalking"),
    "8R": ("violence", "malicious communications"),
    "8S": ("violence", "controlling or coercive behaviour"),
    "11A": ("violence", "cruelty to children/young persons"),
    "104": ("violence", "assault without injury on a constable"),
    "105A": ("violence", "assault without injury"),
    "105B": ("violence", "racially or religiously aggravated assault without injury"),
    "17A": ("violence", "sexual assault on a male aged 13 and over"),
    "19C": ("violence", "rape of a female aged 16 and over"),
    "20A": ("violence", "sexual assault on a female aged 13 and over"),
    "22B": ("violence", "sexual activity involving a child under 16"),
    "39": ("theft-from-person", "theft from the person"),
    "44": ("bicycle-theft", "theft of a pedal cycle"),
    "46": ("shoplifting", "shoplifting"),
    "35": ("other-theft", "blackmail"),
    "40": ("other-theft", "theft in a dwelling other than from an automatic machine or meter"),
    "41": ("other-theft", "theft by an employee"),
    "42": ("other-theft", "theft of mail"),
    "47": ("other-theft", "theft from automatic machine or meter"),
    "49": ("other-theft", "other theft"),
    "53H": ("other-theft", "making off without payment"),
    "56A": ("criminal-damage", "arson endangering life"),
    "56B": ("criminal-damage", "arson not endangering life"),
    "58A": ("criminal-damage", "criminal damage to a dwelling"),
    "58B": ("criminal-damage", "criminal damage to a building other than a dwelling"),
    "58C": ("criminal-damage", "criminal damage to a vehicle"),
    "58D": ("criminal-damage", "other criminal damage"),
    "92A": ("drugs", "trafficking in controlled drugs"),
    "92C": ("drugs", "other drug offences"),
    "92D": ("drugs", "possession of cannabis"),
    "92E": ("drugs", "possession of other controlled drugs (excluding cannabis)"),
    "10A": ("weapons", "possession of firearms offences"),
    "10C": ("weapons", "possession of other weapons"),
    "10D": ("weapons", "possession of article with blade or point"),
    "9A": ("public-order", "public fear alarm or distress"),
    "62A": ("public-order", "violent disorder"),
    "66": ("public-order", "other offences against the state or public order"),
    "33": ("other-crime", "going equipped for stealing"),
    "ASB-PERSONAL": ("asb", "ASB - personal"),
    "ASB-NUISANCE": ("asb", "ASB - nuisance"),
    "ASB-ENVIRONMENTAL": ("asb", "ASB - environmental"),
}

# Offence code weights per police.uk type, by context of the source:
#   "res" residential, "rural", "centre" (town centre, NTE, retail park)
CODE_WEIGHTS = {
    ASB: {"*": {"ASB-NUISANCE": 70, "ASB-PERSONAL": 20, "ASB-ENVIRONMENTAL": 10}},
    BURG: {"res": {"28E": 70, "28F": 15, "30C": 12, "30D": 3},
           "rural": {"28E": 45, "28F": 8, "30C": 40, "30D": 7},
           "centre": {"30C": 80, "30D": 20}},
    ROBB: {"*": {"34B": 88, "34A": 12}, "centre": {"34B": 75, "34A": 25}},
    VEH: {"*": {"45": 55, "48": 25, "126": 17, "37.2": 3}},
    VIOL: {"res": {"105A": 26, "8N": 20, "8L": 14, "8R": 12, "8S": 9, "3": 3,
                   "8Q": 3, "5A": 2, "20A": 3, "19C": 2, "17A": 0.5, "22B": 1,
                   "11A": 1, "8M": 1, "105B": 1, "104": 1, "2": 0.2},
           "centre": {"105A": 38, "8N": 34, "5A": 6, "104": 5, "8L": 3,
                      "20A": 5, "3": 1, "8M": 2, "105B": 2, "8P": 1, "19C": 1}},
    BIKE: {"*": {"44": 1}},
    SHOP: {"*": {"46": 1}},
    TFP: {"*": {"39": 1}},
    OTHEFT: {"*": {"49": 55, "53H": 20, "40": 8, "41": 5, "47": 2, "42": 2,
                   "35": 3}},
    CD: {"*": {"58A": 25, "58B": 10, "58C": 35, "58D": 25, "56B": 4, "56A": 1}},
    DRUGS: {"*": {"92D": 55, "92E": 25, "92A": 18, "92C": 2}},
    WEAP: {"*": {"10D": 55, "10C": 35, "10A": 10}},
    PUBORD: {"*": {"9A": 85, "66": 10, "62A": 5}},
    OTHER: {"*": {"33": 1}},
}

# police.uk "Last outcome category" values and per-type weights
O_NOSUS = "Investigation complete; no suspect identified"
O_UNABLE = "Unable to prosecute suspect"
O_UNDER = "Under investigation"
O_STATUS = "Status update unavailable"
O_COURT = "Court result unavailable"
O_AWAIT = "Awaiting court outcome"
O_LOCAL = "Local resolution"
O_CAUTION = "Offender given a caution"
O_ORG = "Action to be taken by another organisation"
O_INV_NPI = "Further investigation is not in the public interest"
O_FORMAL_NPI = "Formal action is not in the public interest"
O_ACTION_NPI = "Further action is not in the public interest"
O_PENALTY = "Offender given penalty notice"
O_DRUGSWARN = "Offender given a drugs possession warning"
O_OTHERCASE = "Suspect charged as part of another case"
OUTCOME_WEIGHTS = {
    VIOL: {O_UNABLE: 50, O_NOSUS: 14, O_COURT: 10, O_UNDER: 4, O_AWAIT: 4,
           O_STATUS: 4, O_LOCAL: 3, O_CAUTION: 3, O_ACTION_NPI: 2,
           O_FORMAL_NPI: 1, O_ORG: 2, O_INV_NPI: 2, O_OTHERCASE: 1},
    BURG: {O_NOSUS: 70, O_UNABLE: 12, O_COURT: 5, O_UNDER: 3, O_STATUS: 3,
           O_AWAIT: 2, O_INV_NPI: 3, O_OTHERCASE: 2},
    VEH: {O_NOSUS: 82, O_UNABLE: 7, O_COURT: 3, O_UNDER: 2, O_STATUS: 3,
          O_INV_NPI: 3},
    ROBB: {O_NOSUS: 45, O_UNABLE: 25, O_COURT: 12, O_AWAIT: 6, O_UNDER: 6,
           O_STATUS: 4, O_OTHERCASE: 2},
    CD: {O_NOSUS: 55, O_UNABLE: 22, O_LOCAL: 6, O_COURT: 4, O_STATUS: 4,
         O_UNDER: 2, O_ACTION_NPI: 3, O_CAUTION: 2, O_INV_NPI: 2},
    DRUGS: {O_LOCAL: 25, O_DRUGSWARN: 18, O_COURT: 18, O_CAUTION: 8,
            O_UNABLE: 10, O_AWAIT: 8, O_UNDER: 5, O_STATUS: 4, O_PENALTY: 2,
            O_FORMAL_NPI: 2},
    OTHER: {O_UNABLE: 35, O_NOSUS: 20, O_COURT: 15, O_UNDER: 8, O_STATUS: 6,
            O_AWAIT: 6, O_ORG: 5, O_LOCAL: 3, O_ACTION_NPI: 2},
    OTHEFT: {O_NOSUS: 62, O_UNABLE: 15, O_COURT: 5, O_LOCAL: 4, O_UNDER: 3,
             O_STATUS: 4, O_INV_NPI: 4, O_CAUTION: 2, O_ORG: 1},
    WEAP: {O_COURT: 30, O_UNABLE: 18, O_AWAIT: 15, O_CAUTION: 10, O_LOCAL: 6,
           O_UNDER: 8, O_STATUS: 6, O_FORMAL_NPI: 3, O_ACTION_NPI: 2,
           O_OTHERCASE: 2},
    PUBORD: {O_UNABLE: 45, O_NOSUS: 18, O_COURT: 10, O_LOCAL: 6, O_CAUTION: 4,
             O_STATUS: 4, O_UNDER: 4, O_AWAIT: 3, O_PENALTY: 3,
             O_ACTION_NPI: 3},
    SHOP: {O_NOSUS: 38, O_COURT: 22, O_UNABLE: 14, O_LOCAL: 6, O_CAUTION: 4,
           O_AWAIT: 5, O_STATUS: 4, O_UNDER: 3, O_PENALTY: 2, O_OTHERCASE: 2},
    TFP: {O_NOSUS: 78, O_UNABLE: 10, O_COURT: 3, O_UNDER: 3, O_STATUS: 3,
          O_INV_NPI: 3},
    BIKE: {O_NOSUS: 84, O_UNABLE: 7, O_STATUS: 3, O_UNDER: 2, O_COURT: 2,
           O_INV_NPI: 2},
}

POLICEUK_HEADER = ["Crime ID", "Month", "Reported by", "Falls within",
                   "Longitude", "Latitude", "Location", "LSOA code",
                   "LSOA name", "Crime type", "Last outcome category",
                   "Context"]
EXTRACT_HEADER = ["incident_ref", "offence_code", "offence_description",
                  "occurred_date", "occurred_time", "easting", "northing",
                  "beat", "occurred_from", "occurred_to"]


# ===========================================================================
# Small utilities
# ===========================================================================
class Rand(random.Random):
    """random.Random with our own normal, Poisson and weighted choice, so the
    output does not depend on library methods whose algorithms might change
    between Python versions (only random() is used underneath)."""

    def normal(self, mu=0.0, sigma=1.0):
        u1 = 1.0 - self.random()            # in (0, 1]
        u2 = self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def poisson(self, lam):
        if lam <= 0.0:
            return 0
        if lam < 30.0:                      # Knuth's multiplication method
            limit, k, p = math.exp(-lam), 0, 1.0
            while True:
                p *= self.random()
                if p <= limit:
                    return k
                k += 1
        return max(0, int(round(self.normal(lam, math.sqrt(lam)))))

    def uniform_(self, a, b):
        return a + (b - a) * self.random()

    def index(self, n):
        return min(n - 1, int(self.random() * n))


class Picker:
    """Weighted choice among items (a dict item -> weight, or pairs)."""

    def __init__(self, weights):
        pairs = list(weights.items()) if isinstance(weights, dict) else list(weights)
        self.items = [k for k, w in pairs if w > 0]
        self.cum = []
        total = 0.0
        for _, w in pairs:
            if w > 0:
                total += w
                self.cum.append(total)
        if not self.items:
            raise ValueError("Picker with no positive weight")

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


class ValueNoise:
    """Smooth 2-D value noise in [0, 1] with a given wavelength (metres)."""

    def __init__(self, rng, spacing):
        self.s = float(spacing)
        self.nx = int(NX * CELL / spacing) + 4
        self.ny = int(NY * CELL / spacing) + 4
        self.v = [rng.random() for _ in range(self.nx * self.ny)]

    def at(self, x, y):
        fx = (x - GX0) / self.s + 1.0
        fy = (y - GY0) / self.s + 1.0
        i, j = int(fx), int(fy)
        tx, ty = fx - i, fy - j
        tx = tx * tx * (3.0 - 2.0 * tx)
        ty = ty * ty * (3.0 - 2.0 * ty)
        k = j * self.nx + i
        a, b = self.v[k], self.v[k + 1]
        c, d = self.v[k + self.nx], self.v[k + self.nx + 1]
        return a + (b - a) * tx + (c - a) * ty + (a - b - c + d) * tx * ty


def clamp(v, lo, hi):
    return lo if v < lo else hi if v > hi else v


def cell_centre(i):
    """Centre (x, y) of lattice cell with flat index i."""
    r, c = divmod(i, NX)
    return GX0 + (c + 0.5) * CELL, GY0 + (r + 0.5) * CELL


def cell_of(x, y):
    """Flat index of the cell containing (x, y), or -1 outside the lattice."""
    c = int((x - GX0) // CELL)
    r = int((y - GY0) // CELL)
    if 0 <= c < NX and 0 <= r < NY:
        return r * NX + c
    return -1


def seg_dist2(px, py, ax, ay, bx, by):
    """Squared distance from point P to segment AB."""
    dx, dy = bx - ax, by - ay
    l2 = dx * dx + dy * dy
    if l2 == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = clamp(((px - ax) * dx + (py - ay) * dy) / l2, 0.0, 1.0)
    qx, qy = ax + t * dx, ay + t * dy
    return (px - qx) ** 2 + (py - qy) ** 2


def ring_area2(ring):
    """Twice the signed area of a closed ring (positive: counter-clockwise)."""
    s = 0
    for k in range(len(ring) - 1):
        x1, y1 = ring[k]
        x2, y2 = ring[k + 1]
        s += x1 * y2 - x2 * y1
    return s


def point_in_rings(x, y, rings):
    """Even-odd point-in-polygon test over all rings of a polygon."""
    inside = False
    for ring in rings:
        n = len(ring)
        for k in range(n - 1):
            x1, y1 = ring[k]
            x2, y2 = ring[k + 1]
            if (y1 > y) != (y2 > y):
                xc = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
                if xc > x:
                    inside = not inside
    return inside


def run(cmd, stdin_text=None):
    """Run an external command, returning its stdout; fail loudly."""
    res = subprocess.run(cmd, input=stdin_text, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit("command failed: %s\n%s" % (" ".join(cmd), res.stderr))
    return res.stdout


# ===========================================================================
# 1. County outline
# ===========================================================================
def county_outline(rng):
    """A wavy closed outline: an ellipse whose radius is modulated by a few
    random harmonics (kept small enough that the outline stays star-shaped
    and inside the lattice)."""
    harmonics = []
    for k in range(2, 9):                  # the broad shape
        harmonics.append((k, rng.uniform_(0.3, 1.0) / k ** 0.7,
                          rng.uniform_(0.0, 2.0 * math.pi)))
    total = sum(a for _, a, _ in harmonics)
    harmonics = [(k, 0.16 * a / total, ph) for k, a, ph in harmonics]
    for k in range(9, 40):                 # a ragged edge, as real boundaries
        harmonics.append((k, rng.uniform_(0.0, 0.06) / k ** 0.8,
                          rng.uniform_(0.0, 2.0 * math.pi)))
    cx, cy = COUNTY_CENTRE
    ax, ay = COUNTY_SEMI_AXES
    pts = []
    n = 720
    for i in range(n):
        t = 2.0 * math.pi * i / n
        f = 1.0 + sum(a * math.cos(k * t + ph) for k, a, ph in harmonics)
        pts.append((cx + ax * f * math.cos(t), cy + ay * f * math.sin(t)))
    return pts


def rasterise_polygon(poly):
    """Cells whose centre lies inside the polygon (scanline even-odd fill)."""
    inside = bytearray(NX * NY)
    n = len(poly)
    for r in range(NY):
        yc = GY0 + (r + 0.5) * CELL
        xs = []
        for k in range(n):
            x1, y1 = poly[k]
            x2, y2 = poly[(k + 1) % n]
            if (y1 > yc) != (y2 > yc):
                xs.append(x1 + (yc - y1) * (x2 - x1) / (y2 - y1))
        xs.sort()
        for a, b in zip(xs[0::2], xs[1::2]):
            c0 = max(0, int(math.ceil((a - GX0) / CELL - 0.5)))
            c1 = min(NX - 1, int(math.floor((b - GX0) / CELL - 0.5)))
            for c in range(c0, c1 + 1):
                inside[r * NX + c] = 1
    return inside


# ===========================================================================
# 2. Population density
# ===========================================================================
def kernel_radius(pop, density):
    """Radius (m) of a flat-topped settlement kernel of given core density."""
    return 1000.0 * math.sqrt(pop / (density * math.pi))


def add_kernel(popgrid, inside, x0, y0, pop, radius):
    """Add `pop` people spread as 1 / (1 + (r/R)^6) around (x0, y0).
    The kernel integrates to pi R^2 * 2 pi / (3 sqrt 3)."""
    norm = pop / (math.pi * radius * radius * 2.0 * math.pi / (3.0 * math.sqrt(3.0)))
    reach = 3.0 * radius
    c0 = max(0, int((x0 - reach - GX0) // CELL))
    c1 = min(NX - 1, int((x0 + reach - GX0) // CELL))
    r0 = max(0, int((y0 - reach - GY0) // CELL))
    r1 = min(NY - 1, int((y0 + reach - GY0) // CELL))
    added = 0.0
    area = CELL * CELL
    for r in range(r0, r1 + 1):
        dy = GY0 + (r + 0.5) * CELL - y0
        for c in range(c0, c1 + 1):
            i = r * NX + c
            if not inside[i]:
                continue
            dx = GX0 + (c + 0.5) * CELL - x0
            q = (dx * dx + dy * dy) / (radius * radius)
            v = norm * area / (1.0 + q * q * q)
            popgrid[i] += v
            added += v
    return added


def build_settlements(rng, inside):
    """Main places of the boards (towns and large villages) plus ordinary
    villages.  Returns a list of dicts with name, x, y, pop, R, kind, board
    and (towns) lobes."""
    settlements = []
    for bi, (bid, name, x, y, pop) in enumerate(BOARDS):
        if pop is None:
            continue
        kind = "town" if pop >= TOWN_MIN_POP else "large_village"
        dens = TOWN_DENSITY if kind == "town" else VILLAGE_DENSITY
        s = {"name": name, "x": float(x), "y": float(y), "pop": float(pop),
             "R": kernel_radius(pop, dens), "kind": kind, "board": bi}
        # towns: a core plus 2-4 lobes so they are not circles
        lobes = []
        if kind == "town":
            nl = 2 + rng.index(3)
            base = rng.uniform_(0, 2 * math.pi)
            for k in range(nl):
                ang = base + 2 * math.pi * k / nl + rng.uniform_(-0.5, 0.5)
                dist = s["R"] * rng.uniform_(0.7, 1.1)
                lobes.append((x + dist * math.cos(ang), y + dist * math.sin(ang)))
        s["lobes"] = lobes
        settlements.append(s)
    # ordinary villages, well away from towns and from each other
    tries = 0
    while sum(1 for s in settlements if s["kind"] == "village") < N_VILLAGES:
        tries += 1
        if tries > 100000:
            raise RuntimeError("could not place villages")
        x = rng.uniform_(GX0, GX0 + NX * CELL)
        y = rng.uniform_(GY0, GY0 + NY * CELL)
        i = cell_of(x, y)
        if i < 0 or not inside[i]:
            continue
        # keep 1.5 km from the county edge
        if not all(inside[j] for j in (cell_of(x + 1500, y), cell_of(x - 1500, y),
                                        cell_of(x, y + 1500), cell_of(x, y - 1500))):
            continue
        ok = True
        for s in settlements:
            d = math.hypot(x - s["x"], y - s["y"])
            need = (1.6 * s["R"] + 1800) if s["kind"] == "town" else 2600
            if d < need:
                ok = False
                break
        if not ok:
            continue
        pop = clamp(700 * math.exp(rng.normal(0, 0.5)), 250, 1900)
        settlements.append({"name": None, "x": x, "y": y, "pop": pop,
                            "R": kernel_radius(pop, VILLAGE_DENSITY),
                            "kind": "village", "board": None, "lobes": []})
    return settlements


def build_population(rng, inside, settlements):
    """Population per lattice cell (floats), scaled to N_ZONES * MEAN."""
    popgrid = array("d", bytes(8 * NX * NY))
    placed = 0.0
    for s in settlements:
        if s["lobes"]:
            core = 0.55 * s["pop"]
            placed += add_kernel(popgrid, inside, s["x"], s["y"], core, s["R"] * 0.85)
            each = (s["pop"] - core) / len(s["lobes"])
            for lx, ly in s["lobes"]:
                placed += add_kernel(popgrid, inside, lx, ly, each, s["R"] * 0.6)
        else:
            placed += add_kernel(popgrid, inside, s["x"], s["y"], s["pop"], s["R"])
    # smooth rural background
    noise_a = ValueNoise(rng, 9000)
    noise_b = ValueNoise(rng, 3000)
    weights = array("d", bytes(8 * NX * NY))
    wsum = 0.0
    for i in range(NX * NY):
        if inside[i]:
            x, y = cell_centre(i)
            w = 0.3 + 1.2 * noise_a.at(x, y) + 0.4 * noise_b.at(x, y)
            weights[i] = w
            wsum += w
    rural_total = N_ZONES * MEAN_ZONE_POP - placed
    if rural_total <= 0:
        raise RuntimeError("settlements exceed the county population")
    k = rural_total / wsum
    for i in range(NX * NY):
        if inside[i]:
            popgrid[i] += k * weights[i]
    county_km2 = sum(inside) * CELL * CELL / 1e6
    return popgrid, rural_total / county_km2


# ===========================================================================
# 3. Zones: output-area-like cells aggregated into zones of ~1,500 people
# ===========================================================================
OA_POP = 150                     # people per output-area-like building block


def make_displacer(rng):
    """Return disp(x, y, density_km2) -> displaced (x, y).  Cell membership
    is decided from the displaced position, which makes boundaries wiggle.
    The displacement scales with the local output-area size."""
    fine = (ValueNoise(rng, 600), ValueNoise(rng, 600))
    broad = (ValueNoise(rng, 2500), ValueNoise(rng, 2500))

    def disp(x, y, density):
        spacing = 1000.0 * math.sqrt(OA_POP / max(density, 10.0))
        a1 = clamp(0.35 * spacing, 20.0, 150.0)
        a2 = clamp(0.50 * spacing, 0.0, 900.0)
        return (x + a1 * (2 * fine[0].at(x, y) - 1) + a2 * (2 * broad[0].at(x, y) - 1),
                y + a1 * (2 * fine[1].at(x, y) - 1) + a2 * (2 * broad[1].at(x, y) - 1))
    return disp


def kd_seeds(points, n):
    """Population-balanced recursive bisection of weighted points into n
    leaves; returns each leaf's population-weighted centroid."""
    seeds = []

    def split(idx, n):
        if n == 1:
            tot = sum(points[k][2] for k in idx)
            sx = sum(points[k][0] * points[k][2] for k in idx)
            sy = sum(points[k][1] * points[k][2] for k in idx)
            seeds.append((sx / tot, sy / tot))
            return
        xs = [points[k][0] for k in idx]
        ys = [points[k][1] for k in idx]
        axis = 0 if max(xs) - min(xs) >= max(ys) - min(ys) else 1
        idx = sorted(idx, key=lambda k: (points[k][axis], points[k][1 - axis]))
        total = sum(points[k][2] for k in idx)
        nl = n // 2
        want = total * nl / n
        acc, p = 0.0, 0
        while p < len(idx) - 1 and acc + points[idx[p]][2] <= want:
            acc += points[idx[p]][2]
            p += 1
        p = clamp(p, nl, len(idx) - (n - nl))   # every leaf keeps a point
        split(idx[:p], nl)
        split(idx[p:], n - nl)

    split(list(range(len(points))), n)
    return seeds


BLOCK = 500                      # candidate-list block size, metres
N_CANDIDATES = 24


def block_key(x, y):
    return (int((x - GX0) // BLOCK), int((y - GY0) // BLOCK))


class NearestSeeds:
    """Candidate seeds per 500 m block: the N_CANDIDATES nearest to the
    block centre (enough for any point in the block)."""

    def __init__(self, seeds):
        self.seeds = seeds
        self.buckets = {}
        for s, (x, y) in enumerate(seeds):
            self.buckets.setdefault(block_key(x, y), []).append(s)
        self.cache = {}

    def candidates(self, key):
        if key in self.cache:
            return self.cache[key]
        bx, by = key
        cx = GX0 + bx * BLOCK + BLOCK / 2
        cy = GY0 + by * BLOCK + BLOCK / 2
        found = []
        ring = 0
        extra = -1
        while extra < 2:
            for i in range(bx - ring, bx + ring + 1):
                for j in range(by - ring, by + ring + 1):
                    if max(abs(i - bx), abs(j - by)) == ring:
                        found.extend(self.buckets.get((i, j), ()))
            if len(found) >= N_CANDIDATES or ring > 200:
                extra += 1
            ring += 1
        found.sort(key=lambda s: ((self.seeds[s][0] - cx) ** 2 + (self.seeds[s][1] - cy) ** 2, s))
        self.cache[key] = found[:N_CANDIDATES]
        return self.cache[key]

    def nearest(self, x, y):
        best, bs = None, -1
        for s in self.candidates(block_key(x, y)):
            sx, sy = self.seeds[s]
            d = (sx - x) ** 2 + (sy - y) ** 2
            if best is None or d < best:
                best, bs = d, s
        return bs


def build_oa_labels(rng, inside, popgrid):
    """Output-area-like cells: seeds from a population-balanced k-d split,
    every lattice cell to the nearest seed from its displaced position."""
    disp = make_displacer(rng)
    coarse = [cell_centre(i) + (popgrid[i],) for i in range(NX * NY)
              if inside[i] and popgrid[i] > 0]
    n_oa = int(round(sum(p[2] for p in coarse) / OA_POP))
    seeds = kd_seeds(coarse, n_oa)
    index = NearestSeeds(seeds)
    lab = array("i", [-1]) * (NX * NY)
    for i in range(NX * NY):
        if inside[i]:
            x, y = cell_centre(i)
            dx, dy = disp(x, y, popgrid[i] / (CELL * CELL / 1e6))
            lab[i] = index.nearest(dx, dy)
    return lab, n_oa


def enclave_zones(settlements, pop, cnt, cent, adj):
    """Pick a village for an enclave: a zone of ~1,000+ people around it,
    entirely surrounded by one rural "doughnut" zone, so the demo data has a
    polygon with a hole.  Returns (inner OAs, outer OAs) or None."""
    live = [o for o in range(len(pop)) if cnt[o] > 0]
    villages = sorted((s for s in settlements if s["kind"] == "village"),
                      key=lambda s: (abs(s["pop"] - 1100), s["x"]))
    for v in villages:
        near = sorted((math.hypot(cent[o][0] - v["x"], cent[o][1] - v["y"]), o) for o in live)
        inner, ipop, k = [], 0.0, 0
        while ipop < 1050 and k < len(near):
            inner.append(near[k][1])
            ipop += pop[near[k][1]]
            k += 1
        outer, opop = [], 0.0
        while (opop < 1400 or near[k][0] < near[len(inner) - 1][0] + 1500) and k < len(near) - 1:
            outer.append(near[k][1])
            opop += pop[near[k][1]]
            k += 1
        iset, oset = set(inner), set(outer)
        if opop > 2600 or not connected(inner, adj) or not connected(outer, adj):
            continue
        # the inner zone may only touch the outer one ...
        if any(n not in iset and n not in oset for o in inner for n in adj[o]):
            continue
        # ... and the outer one must not wrap around anything else
        rest = [o for o in live if o not in iset and o not in oset]
        if not connected(rest, adj):
            continue
        return inner, outer
    return None


def connected(nodes, adj):
    nodes = set(nodes)
    if not nodes:
        return False
    start = min(nodes)
    seen, stack = {start}, [start]
    while stack:
        o = stack.pop()
        for n in adj[o]:
            if n in nodes and n not in seen:
                seen.add(n)
                stack.append(n)
    return len(seen) == len(nodes)


def aggregate_zones(rng, oa_lab, n_oa, popgrid, settlements):
    """Aggregate output areas into contiguous zones of ~1,000-3,000 people,
    as ONS builds LSOAs: start each zone at the most hemmed-in unassigned
    output area, add the nearest adjacent unassigned ones until the zone
    reaches its (randomised) target, then fold small leftovers into a
    neighbour.  Returns the zone of every output area and the zone count."""
    pop, cnt, cent, adj = zone_stats(oa_lab, popgrid, n_oa)
    zone = [-1] * n_oa
    zpop = []
    free_nbrs = [sum(1 for n in adj[o] if cnt[n] > 0) for o in range(n_oa)]
    live = [o for o in range(n_oa) if cnt[o] > 0]
    for o in range(n_oa):
        if cnt[o] == 0:
            zone[o] = -2                 # an output area that got no cells

    def take(o, z):
        zone[o] = z
        zpop[z] += pop[o]
        for n in adj[o]:
            free_nbrs[n] -= 1

    enclave = enclave_zones(settlements, pop, cnt, cent, adj)
    if enclave:
        for members in enclave:
            zpop.append(0.0)
            for o in members:
                take(o, len(zpop) - 1)

    while True:
        rest = [o for o in live if zone[o] == -1]
        if not rest:
            break
        start = min(rest, key=lambda o: (free_nbrs[o], -cent[o][1], cent[o][0]))
        z = len(zpop)
        zpop.append(0.0)
        target = 0.9 * MEAN_ZONE_POP * clamp(math.exp(rng.normal(0.0, 0.18)), 0.75, 1.4)
        take(start, z)
        members = [start]
        while zpop[z] < target:
            cands = sorted({n for m in members for n in adj[m] if zone[n] == -1})
            if not cands:
                break
            cx = sum(cent[m][0] * pop[m] for m in members) / max(zpop[z], 1e-9)
            cy = sum(cent[m][1] * pop[m] for m in members) / max(zpop[z], 1e-9)
            n = min(cands, key=lambda n: (math.hypot(cent[n][0] - cx, cent[n][1] - cy)
                                          * (1.0 + 0.15 * free_nbrs[n]), n))
            if zpop[z] + pop[n] > 1.3 * target and zpop[z] > 0.8 * target:
                break
            take(n, z)
            members.append(n)
    nz = len(zpop)
    # fold zones under 1,000 people into their smallest neighbouring zone
    zadj = [set() for _ in range(nz)]
    for o in live:
        for n in adj[o]:
            if zone[n] >= 0 and zone[n] != zone[o]:
                zadj[zone[o]].add(zone[n])
    alias = list(range(nz))

    def root(z):
        while alias[z] != z:
            z = alias[z]
        return z

    for z in sorted(range(nz), key=lambda z: (zpop[z], z)):
        if root(z) != z or zpop[z] >= 1000:
            continue
        nbrs = sorted({root(n) for n in zadj[z]} - {z})
        if not nbrs:
            continue
        m = min(nbrs, key=lambda n: (zpop[n], n))
        alias[z] = m
        zpop[m] += zpop[z]
        zadj[m] |= zadj[z]
    roots = sorted({root(z) for z in range(nz)})
    renum = {r: k for k, r in enumerate(roots)}
    oa_zone = [renum[root(zone[o])] if zone[o] >= 0 else -1 for o in range(n_oa)]
    return oa_zone, len(roots)


def build_zone_labels(rng, inside, popgrid, settlements):
    """Assign each county cell to a zone; returns (labels, zone count)."""
    oa_lab, n_oa = build_oa_labels(rng, inside, popgrid)
    oa_zone, nz = aggregate_zones(rng, oa_lab, n_oa, popgrid, settlements)
    lab = array("i", [-1]) * (NX * NY)
    for i in range(NX * NY):
        if oa_lab[i] >= 0:
            lab[i] = oa_zone[oa_lab[i]]
    return lab, nz


# ===========================================================================
# Cleaning the label raster: one piece per zone, no corner pinches
# ===========================================================================
def neighbours4(i):
    r, c = divmod(i, NX)
    if c > 0:
        yield i - 1
    if c < NX - 1:
        yield i + 1
    if r > 0:
        yield i - NX
    if r < NY - 1:
        yield i + NX


def merge_fragments(lab):
    """Give every piece of a zone except its largest to the neighbouring
    zone it shares most edges with; fill holes of the county.  Returns the
    number of cells changed."""
    changed = 0
    # outside cells not connected to the lattice border become county
    seen = bytearray(NX * NY)
    dq = deque()
    for i in range(NX * NY):
        r, c = divmod(i, NX)
        if (r in (0, NY - 1) or c in (0, NX - 1)) and lab[i] < 0:
            seen[i] = 1
            dq.append(i)
    while dq:
        i = dq.popleft()
        for j in neighbours4(i):
            if not seen[j] and lab[j] < 0:
                seen[j] = 1
                dq.append(j)
    # components of every label
    comp = array("i", [-1]) * (NX * NY)
    comps = []                       # (label, [cells])
    for i in range(NX * NY):
        if comp[i] >= 0 or (lab[i] < 0 and seen[i]):
            continue
        label = lab[i]
        cid = len(comps)
        cells = [i]
        comp[i] = cid
        dq.append(i)
        while dq:
            k = dq.popleft()
            for j in neighbours4(k):
                if comp[j] < 0 and lab[j] == label and not (label < 0 and seen[j]):
                    comp[j] = cid
                    cells.append(j)
                    dq.append(j)
        comps.append((label, cells))
    largest = {}
    for cid, (label, cells) in enumerate(comps):
        if label >= 0 and (label not in largest or len(cells) > len(comps[largest[label]][1])):
            largest[label] = cid
    for cid, (label, cells) in enumerate(comps):
        if label >= 0 and largest[label] == cid:
            continue
        votes = {}
        for k in cells:
            for j in neighbours4(k):
                if lab[j] >= 0 and comp[j] != cid:
                    votes[lab[j]] = votes.get(lab[j], 0) + 1
        if not votes:
            continue
        new = min(votes, key=lambda z: (-votes[z], z))
        for k in cells:
            lab[k] = new
        changed += len(cells)
    return changed


def remove_pinches(lab, group):
    """Remove 2x2 checkerboard patterns in group(label) (a group touching
    itself only at a corner), which would make rings touch themselves.
    group maps a zone label (>= 0) to its group; outside (-1) stays -1.
    Fixed by giving one off-diagonal cell the zone of a diagonal cell (or,
    if the diagonal is outside, the reverse).  Returns cells changed."""
    changed = 0
    for r in range(NY - 1):
        base = r * NX
        for c in range(NX - 1):
            i = base + c
            a, b, cc, d = lab[i], lab[i + 1], lab[i + NX], lab[i + NX + 1]
            if a < 0 and b < 0 and cc < 0 and d < 0:
                continue
            ga = group(a) if a >= 0 else -1
            gb = group(b) if b >= 0 else -1
            gc = group(cc) if cc >= 0 else -1
            gd = group(d) if d >= 0 else -1
            if ga == gd and gb != ga and gc != ga:
                if a >= 0:
                    lab[i + 1] = a
                else:
                    lab[i] = b if b >= 0 else cc
                changed += 1
            elif gb == gc and ga != gb and gd != gb:
                if b >= 0:
                    lab[i] = b
                else:
                    lab[i + 1] = a if a >= 0 else d
                changed += 1
    return changed


# ===========================================================================
# 4. Boards and names
# ===========================================================================
def zone_stats(lab, popgrid, nz):
    """Per zone: population, cell count, centroid; and zone adjacency."""
    pop = [0.0] * nz
    cnt = [0] * nz
    sx = [0.0] * nz
    sy = [0.0] * nz
    adj = [set() for _ in range(nz)]
    for i in range(NX * NY):
        z = lab[i]
        if z < 0:
            continue
        x, y = cell_centre(i)
        pop[z] += popgrid[i]
        cnt[z] += 1
        sx[z] += x
        sy[z] += y
        r, c = divmod(i, NX)
        if c < NX - 1:
            o = lab[i + 1]
            if o >= 0 and o != z:
                adj[z].add(o)
                adj[o].add(z)
        if r < NY - 1:
            o = lab[i + NX]
            if o >= 0 and o != z:
                adj[z].add(o)
                adj[o].add(z)
    cent = [(sx[z] / cnt[z], sy[z] / cnt[z]) if cnt[z] else (0.0, 0.0) for z in range(nz)]
    return pop, cnt, cent, [sorted(a) for a in adj]


def assign_boards(lab, adj, cent):
    """Competitive Dijkstra over the zone graph from each board's source
    zone: every zone joins the board that reaches it first, always through
    zones of the same board, so boards are contiguous."""
    nz = len(adj)
    owner = [-1] * nz
    heap = []
    for b, (_, name, x, y, _) in enumerate(BOARDS):
        z = lab[cell_of(x, y)]
        if z < 0:
            raise RuntimeError("board centre %s outside the county" % name)
        heap.append((0.0, b, z))
    heapq.heapify(heap)
    while heap:
        d, b, z = heapq.heappop(heap)
        if owner[z] >= 0:
            continue
        owner[z] = b
        for n in adj[z]:
            if owner[n] < 0:
                step = math.hypot(cent[z][0] - cent[n][0], cent[z][1] - cent[n][1])
                heapq.heappush(heap, (d + step, b, n))
    if min(owner) < 0:
        raise RuntimeError("a zone was not reached by any board")
    srcs = [lab[cell_of(x, y)] for (_, _, x, y, _) in BOARDS]
    if len(set(srcs)) != len(srcs):
        raise RuntimeError("two board centres fall in the same zone")
    return owner


def group_msoas(zones, adj, cent):
    """Split one board's zones into contiguous MSOA-like groups of ~5,
    numbered north to south; returns {zone: (group number, letter)}."""
    zset = set(zones)
    order = sorted(zones, key=lambda z: (-cent[z][1], cent[z][0]))
    gid = {}
    groups = []
    for z in order:
        if z in gid:
            continue
        g = [z]
        gid[z] = len(groups)
        while len(g) < 5:
            cands = sorted({n for m in g for n in adj[m] if n in zset and n not in gid})
            if not cands:
                break
            n = min(cands, key=lambda n: (math.hypot(cent[n][0] - cent[z][0],
                                                     cent[n][1] - cent[z][1]), n))
            g.append(n)
            gid[n] = len(groups)
        groups.append(g)
    # fold groups of 1-2 zones into the smallest adjacent group
    for k in range(len(groups)):
        g = groups[k]
        if not g or len(g) > 2:
            continue
        nbr = sorted({gid[n] for m in g for n in adj[m] if n in zset and gid[n] != k})
        nbr = [h for h in nbr if groups[h]]
        if not nbr:
            continue
        h = min(nbr, key=lambda h: (len(groups[h]), h))
        for m in g:
            gid[m] = h
        groups[h].extend(g)
        groups[k] = []
    groups = [g for g in groups if g]
    groups.sort(key=lambda g: -max(cent[z][1] for z in g))
    result = {}
    for num, g in enumerate(groups, start=1):
        for li, z in enumerate(sorted(g, key=lambda z: (-cent[z][1], cent[z][0]))):
            result[z] = (num, chr(ord("A") + li))
    return result


def name_zones(board_of, adj, cent):
    """Zone names ("Castleton 004B"), codes (E01900001.. in name order) and
    beats ("CAS04").  Returns list of dicts indexed by zone label."""
    nz = len(board_of)
    info = [None] * nz
    for b, (bid, bname, _, _, _) in enumerate(BOARDS):
        zones = [z for z in range(nz) if board_of[z] == b]
        groups = group_msoas(zones, adj, cent)
        for z in zones:
            num, letter = groups[z]
            info[z] = {"name": "%s %03d%s" % (bname, num, letter),
                       "board": b, "board_id": bid, "board_name": bname,
                       "beat": "%s%02d" % (BEAT_PREFIX[bname], num)}
    for k, z in enumerate(sorted(range(nz), key=lambda z: info[z]["name"])):
        info[z]["code"] = "E%08d" % (1900001 + k)
    return info


# ===========================================================================
# 5. Polygons: shared arcs, simplified once, chained into rings
# ===========================================================================
def trace_arcs(lab):
    """Trace the boundaries between differently labelled cells into arcs.
    An arc runs between two junction nodes (lattice vertices where three or
    more labels meet) or is a closed loop.  Returns a list of
    (points, left label, right label), points as integer (x, y) tuples,
    the left label being on the left when walking the points in order."""
    def L(c, r):
        if 0 <= c < NX and 0 <= r < NY:
            return lab[r * NX + c]
        return -1

    W = NX + 1
    e_from, e_to, e_left, e_right = [], [], [], []
    inc = {}

    def add(v0, v1, left, right):
        k = len(e_from)
        e_from.append(v0)
        e_to.append(v1)
        e_left.append(left)
        e_right.append(right)
        inc.setdefault(v0, []).append(k)
        inc.setdefault(v1, []).append(k)

    for r in range(NY):                      # vertical edges, walking north
        for i in range(NX + 1):
            west, east = L(i - 1, r), L(i, r)
            if west != east:
                add(r * W + i, (r + 1) * W + i, west, east)
    for j in range(NY + 1):                  # horizontal edges, walking east
        for c in range(NX):
            south, north = L(c, j - 1), L(c, j)
            if south != north:
                add(j * W + c, j * W + c + 1, north, south)

    def xy(v):
        j, i = divmod(v, W)
        return (GX0 + i * CELL, GY0 + j * CELL)

    used = bytearray(len(e_from))
    arcs = []

    def walk(v, k):
        """Walk from vertex v along edge k until a node (or back to v)."""
        if e_from[k] == v:
            left, right = e_left[k], e_right[k]
        else:
            left, right = e_right[k], e_left[k]
        verts = [v]
        cur = v
        while True:
            used[k] = 1
            nxt = e_to[k] if e_from[k] == cur else e_from[k]
            verts.append(nxt)
            if len(inc[nxt]) != 2 or nxt == v:
                break
            a, b = inc[nxt]
            k = b if a == k else a
            cur = nxt
        arcs.append(([xy(u) for u in verts], left, right))

    for v in sorted(inc):
        if len(inc[v]) == 2:
            continue
        if len(inc[v]) not in (3, 4):
            raise RuntimeError("bad boundary vertex degree %d" % len(inc[v]))
        for k in inc[v]:
            if not used[k]:
                walk(v, k)
    for k in range(len(e_from)):              # closed loops without nodes
        if not used[k]:
            walk(e_from[k], k)
    return arcs


def douglas_peucker(pts, tol):
    if len(pts) <= 2:
        return list(pts)
    keep = bytearray(len(pts))
    keep[0] = keep[-1] = 1
    stack = [(0, len(pts) - 1)]
    tol2 = tol * tol
    while stack:
        a, b = stack.pop()
        ax, ay = pts[a]
        bx, by = pts[b]
        best, bi = -1.0, -1
        for k in range(a + 1, b):
            d = seg_dist2(pts[k][0], pts[k][1], ax, ay, bx, by)
            if d > best:
                best, bi = d, k
        if bi >= 0 and best > tol2 and best > 0:
            keep[bi] = 1
            stack.append((a, bi))
            stack.append((bi, b))
    return [p for p, k in zip(pts, keep) if k]


def simplify_arc(pts, tol):
    """Simplify an arc keeping its end points; a closed loop is cut into
    four pieces first so it keeps at least four corners."""
    if pts[0] == pts[-1]:
        n = len(pts) - 1
        cuts = sorted({0, n // 4, n // 2, (3 * n) // 4, n})
        out = [pts[0]]
        for a, b in zip(cuts, cuts[1:]):
            out.extend(douglas_peucker(pts[a:b + 1], tol)[1:])
        return out
    return douglas_peucker(pts, tol)


def orient(a, b, c):
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def on_segment(a, b, p):
    return (min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and
            min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))


def segments_touch(p1, p2, q1, q2):
    """Do closed segments p1p2 and q1q2 share any point? (exact, integers)"""
    o1, o2 = orient(p1, p2, q1), orient(p1, p2, q2)
    o3, o4 = orient(q1, q2, p1), orient(q1, q2, p2)
    if o1 != o2 and o3 != o4 and o1 * o2 <= 0 and o3 * o4 <= 0:
        return True
    if o1 == 0 and on_segment(p1, p2, q1):
        return True
    if o2 == 0 and on_segment(p1, p2, q2):
        return True
    if o3 == 0 and on_segment(q1, q2, p1):
        return True
    if o4 == 0 and on_segment(q1, q2, p2):
        return True
    return False


def only_meet_at(p1, p2, q1, q2, shared):
    """Segments sharing end point `shared`: true if that is their only
    common point (not collinear and overlapping)."""
    a = p2 if p1 == shared else p1
    b = q2 if q1 == shared else q1
    if orient(shared, a, b) != 0:
        return True
    # collinear: fine only if they leave `shared` in opposite directions
    return ((a[0] - shared[0]) * (b[0] - shared[0]) +
            (a[1] - shared[1]) * (b[1] - shared[1])) < 0


def topology_conflicts(simple):
    """Arcs whose simplified segments cross or touch other segments, apart
    from the allowed contacts (consecutive segments of one arc, arcs meeting
    at a shared end node).  Returns the set of offending arc indices."""
    bucket = 500
    grid = {}
    segs = []
    for a, pts in enumerate(simple):
        for k in range(len(pts) - 1):
            p, q = pts[k], pts[k + 1]
            s = len(segs)
            segs.append((a, k, p, q))
            for bx in range(int(min(p[0], q[0]) // bucket), int(max(p[0], q[0]) // bucket) + 1):
                for by in range(int(min(p[1], q[1]) // bucket), int(max(p[1], q[1]) // bucket) + 1):
                    grid.setdefault((bx, by), []).append(s)
    ends = [{pts[0], pts[-1]} for pts in simple]
    bad = set()
    checked = set()
    for key in sorted(grid):
        cell = grid[key]
        for ii in range(len(cell)):
            s1 = cell[ii]
            a1, k1, p1, p2 = segs[s1]
            for jj in range(ii + 1, len(cell)):
                s2 = cell[jj]
                if (s1, s2) in checked:
                    continue
                checked.add((s1, s2))
                a2, k2, q1, q2 = segs[s2]
                if not segments_touch(p1, p2, q1, q2):
                    continue
                shared = [v for v in (p1, p2) if v in (q1, q2)]
                ok = False
                if len(shared) == 1:
                    v = shared[0]
                    if a1 == a2:
                        n = len(simple[a1]) - 1
                        adjacent = abs(k1 - k2) == 1 or (
                            simple[a1][0] == simple[a1][-1] and {k1, k2} == {0, n - 1})
                        ok = adjacent and only_meet_at(p1, p2, q1, q2, v)
                    else:
                        ok = v in ends[a1] and v in ends[a2] and only_meet_at(p1, p2, q1, q2, v)
                if not ok:
                    bad.add(a1)
                    bad.add(a2)
    return bad


def simplify_arcs(arcs, tol):
    """Simplify all arcs, lowering the tolerance of arcs in conflict until
    none remain (tolerance 0 reproduces the lattice boundary exactly)."""
    tols = [tol] * len(arcs)
    simple = [simplify_arc(pts, tol) for pts, _, _ in arcs]
    for _ in range(8):
        bad = topology_conflicts(simple)
        if not bad:
            return simple
        for a in sorted(bad):
            tols[a] = tols[a] / 2 if tols[a] > tol / 8 else 0.0
            simple[a] = simplify_arc(arcs[a][0], tols[a])
    raise RuntimeError("could not simplify arcs without conflicts")


def build_polygons(arcs, simple, group, n):
    """Chain arcs into polygons for labels grouped by group(zone label)
    (identity for zones, the board for boards).  Returns, per group, a list
    of rings: the outer ring (counter-clockwise) first, then holes
    (clockwise)."""
    paths = [dict() for _ in range(n)]   # group -> {start point: [paths]}
    for (pts, left, right), sp in zip(arcs, simple):
        gl = group(left) if left >= 0 else -1
        gr = group(right) if right >= 0 else -1
        if gl == gr:
            continue
        if gl >= 0:
            paths[gl].setdefault(sp[0], []).append(sp)
        if gr >= 0:
            rev = sp[::-1]
            paths[gr].setdefault(rev[0], []).append(rev)
    polys = []
    for g in range(n):
        starts = paths[g]
        for v in starts:
            if len(starts[v]) != 1:
                raise RuntimeError("label %d touches itself at %s" % (g, v))
        rings = []
        for v0 in sorted(starts):
            if not starts[v0]:
                continue
            ring = []
            v = v0
            while True:
                p = starts[v].pop()
                ring.extend(p if not ring else p[1:])
                v = p[-1]
                if v == v0:
                    break
            rings.append(ring)
        outers = [r for r in rings if ring_area2(r) > 0]
        holes = [r for r in rings if ring_area2(r) < 0]
        if len(outers) != 1 or len(outers) + len(holes) != len(rings):
            raise RuntimeError("label %d has %d outer rings" % (g, len(outers)))
        holes.sort()
        polys.append([outers[0]] + holes)
    return polys


class ZoneIndex:
    """Point-in-zone look-ups on the final (simplified) zone polygons, using
    the lattice as a hint, and distances to the nearest zone boundary."""

    def __init__(self, lab, zone_polys, simple):
        self.lab = lab
        self.polys = zone_polys
        self.grid = {}
        self.bucket = 500
        for pts in simple:
            for k in range(len(pts) - 1):
                p, q = pts[k], pts[k + 1]
                for bx in range(int(min(p[0], q[0]) // 500), int(max(p[0], q[0]) // 500) + 1):
                    for by in range(int(min(p[1], q[1]) // 500), int(max(p[1], q[1]) // 500) + 1):
                        self.grid.setdefault((bx, by), []).append((p, q))

    def zone_at(self, x, y):
        """Zone label containing (x, y), or -1 outside the county."""
        c0 = int((x - GX0) // CELL)
        r0 = int((y - GY0) // CELL)
        cands = []
        for dr in (0, -1, 1, -2, 2):
            for dc in (0, -1, 1, -2, 2):
                c, r = c0 + dc, r0 + dr
                if 0 <= c < NX and 0 <= r < NY:
                    z = self.lab[r * NX + c]
                    if z >= 0 and z not in cands:
                        cands.append(z)
        for z in cands:
            if point_in_rings(x, y, self.polys[z]):
                return z
        return -1

    def boundary_distance(self, x, y, limit=250.0):
        """Distance to the nearest zone/county boundary (capped at limit)."""
        best = limit * limit
        for bx in range(int((x - limit) // 500), int((x + limit) // 500) + 1):
            for by in range(int((y - limit) // 500), int((y + limit) // 500) + 1):
                for p, q in self.grid.get((bx, by), ()):
                    d = seg_dist2(x, y, p[0], p[1], q[0], q[1])
                    if d < best:
                        best = d
        return math.sqrt(best)


# ===========================================================================
# 6. Anonymous map points and their names
# ===========================================================================
STEMS = [
    "Mill", "Church", "Station", "Manor", "Park", "Queen's", "King's",
    "Victoria", "Albert", "Elm", "Oak", "Beech", "Ash", "Willow", "Meadow",
    "Orchard", "Chapel", "School", "Bridge", "Castle", "Abbey", "Priory",
    "Vicarage", "Rectory", "Cherry", "Hawthorn", "Holly", "Laurel", "Lime",
    "Maple", "Poplar", "Rowan", "Sycamore", "Windmill", "Brook", "River",
    "Water", "Downs", "Ridgeway", "Hill", "Forest", "Wood", "Common",
    "Field", "Farm", "Barn", "Cross", "Market", "North", "South", "East",
    "West", "New", "Old", "St John's", "St Mary's", "St Andrew's", "Trinity",
    "Wellington", "Nelson", "Gladstone", "Coronation", "Jubilee", "Blenheim",
    "Kingsway", "Spring", "Well", "Pound", "Green", "Fairfield", "Highfield",
    "Greenacre", "Larkhill", "Copse", "Heath", "Moor", "Vale", "Tanners",
    "Dyers", "Weavers", "Drovers", "Shepherds", "Cowslip", "Bluebell",
    "Foxglove", "Primrose", "Heather", "Kestrel", "Swallow", "Mallard",
    "Heron", "Badger", "Saxon", "Roman", "Wessex", "Avon", "Kennet",
    "Bourne", "Sarsen", "Chalk", "Flint", "Lynch", "Barrow", "Folly",
] + [b[1].split()[0] for b in BOARDS]
TOWN_SUFFIX = {"Road": 24, "Street": 10, "Close": 14, "Avenue": 8, "Way": 7,
               "Drive": 7, "Gardens": 5, "Crescent": 5, "Place": 3, "Court": 3,
               "Walk": 2, "Grove": 3, "Rise": 2, "Terrace": 3, "Lane": 6,
               "Mews": 1, "View": 1}
RURAL_SUFFIX = {"Lane": 40, "Road": 28, "Hill": 6, "Close": 5, "Street": 4,
                "Way": 3, "Drove": 4, "Green": 4, "Bottom": 2, "Row": 2}
TOWN_CORE_NAMES = ["Market Place", "High Street", "Church Street",
                   "Bridge Street", "Sheep Street", "Silver Street",
                   "The Square", "Castle Street", "North Street",
                   "South Street", "West Street", "East Street", "Fore Street",
                   "New Street", "Station Road", "Bath Road"]
POI_NAMES = {"Shopping Area", "Parking Area", "Supermarket", "Petrol Station",
             "Sports/Recreation Area", "Park/Open Space", "Bus/Coach Station",
             "Police Station", "Further/Higher Educational Building",
             "Hospital", "Theatre/Concert Hall", "Conference/Exhibition Centre",
             "Nightclub"}
VILLAGE_CORE_NAMES = ["The Street", "High Street", "Church Lane", "The Green",
                      "Chapel Lane", "School Lane", "Church Road", "Main Road"]

# Hot spots beyond the town centres.  kind, town, bearing (degrees from
# north), distance (m) from the town centre, spread sigma (m), relative
# monthly rate, description
HOTSPOTS = [
    ("nte", "Castleton", 80, 280, 110, 60, "Castleton night-time economy (town centre)"),
    ("nte", "Brackenford", 200, 160, 100, 13, "Brackenford night-time economy"),
    ("nte", "Ashbury", 300, 150, 100, 11, "Ashbury night-time economy"),
    ("nte", "Marlcombe", 120, 140, 100, 9, "Marlcombe night-time economy"),
    ("estate", "Castleton", 20, 1500, 260, 18, "Northfield estate, Castleton"),
    ("estate", "Brackenford", 270, 950, 230, 12, "Hilltop estate, Brackenford"),
    ("estate", "Marlcombe", 95, 850, 220, 10, "Eastfield estate, Marlcombe"),
    ("retail", "Castleton", 225, 1900, 90, 10, "Castleton retail park"),
    ("retail", "Ashbury", 180, 1300, 80, 6, "Ashbury retail park"),
    ("spree", "Dunmere", 0, 350, 60, 12, "Dunmere car park vehicle-crime spree, Apr-Jun 2024"),
]
SPREE_MONTHS = {(2024, 4), (2024, 5), (2024, 6)}
NEIGHBOUR_DISTRICTS = ["Uffingdon", "Hartsdown", "Purcombe", "Westmere"]  # N, E, S, W


def hotspot_centre(h, settlements):
    kind, town, bearing, dist = h[0], h[1], h[2], h[3]
    s = next(s for s in settlements if s["name"] == town)
    a = math.radians(bearing)
    return s["x"] + dist * math.sin(a), s["y"] + dist * math.cos(a)


def build_snap_points(rng, popgrid, settlements, zidx):
    """A few thousand map points: density follows population (dense in
    towns, sparse in open country) plus extra points in town centres and at
    the hot spots.  Each point is inside a zone and at least
    SNAP_BOUNDARY_CLEARANCE from any boundary."""
    pts = []

    def try_add(x0, y0, half, special=None, tries=6):
        for t in range(tries):
            h = half * (1.0 + 0.1 * t)
            x = round(x0 + rng.uniform_(-h, h))
            y = round(y0 + rng.uniform_(-h, h))
            z = zidx.zone_at(x, y)
            if z >= 0 and zidx.boundary_distance(x, y) >= SNAP_BOUNDARY_CLEARANCE:
                pts.append({"x": x, "y": y, "zone": z, "name": None, "special": special})
                return True
        return False

    for r in range(0, NY, 2):
        for c in range(0, NX, 2):
            pop = sum(popgrid[i] for i in (r * NX + c, r * NX + c + 1,
                                           (r + 1) * NX + c, (r + 1) * NX + c + 1))
            if pop <= 0:
                continue
            dens = pop / 0.04
            if rng.random() < clamp(dens / 1800.0, 0.025, 0.9):
                try_add(GX0 + (c + 1) * CELL, GY0 + (r + 1) * CELL, CELL)
    for s in settlements:                     # denser streets in town centres
        if s["kind"] != "town":
            continue
        rc = max(300.0, 0.3 * s["R"])
        for r in range(int((s["y"] - rc - GY0) // CELL), int((s["y"] + rc - GY0) // CELL) + 1):
            for c in range(int((s["x"] - rc - GX0) // CELL), int((s["x"] + rc - GX0) // CELL) + 1):
                x, y = GX0 + (c + 0.5) * CELL, GY0 + (r + 0.5) * CELL
                if math.hypot(x - s["x"], y - s["y"]) <= rc and rng.random() < 0.5:
                    try_add(x, y, CELL / 2)
    for h in HOTSPOTS:                        # points right at the hot spots
        hx, hy = hotspot_centre(h, settlements)
        n = {"nte": 4, "retail": 2, "spree": 1, "estate": 0}[h[0]]
        for k in range(n):
            if not try_add(hx, hy, 40 + 30 * k, special=(h[0], k), tries=40):
                raise RuntimeError("no map point near hot spot %s" % h[6])
    return pts


def street_name(rng, suffixes, taken):
    for _ in range(200):
        name = "%s %s" % (STEMS[rng.index(len(STEMS))], suffixes.pick(rng))
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of street names")


def name_snap_points(rng, pts, settlements):
    """Street and place names.  Points near a settlement take the name of
    the nearest "street anchor" (so neighbouring points share street names);
    points in open country get lane and road names; some points are places
    (Supermarket, Parking Area, ...), as on police.uk."""
    town_sfx, rural_sfx = Picker(TOWN_SUFFIX), Picker(RURAL_SUFFIX)
    owner = []
    for p in pts:
        best, bs = None, -1
        for k, s in enumerate(settlements):
            d = math.hypot(p["x"] - s["x"], p["y"] - s["y"]) / s["R"]
            if d < 1.7 and (best is None or d < best):
                best, bs = d, k
        owner.append(bs)
    for k, s in enumerate(settlements):
        mine = sorted((math.hypot(p["x"] - s["x"], p["y"] - s["y"]), j)
                      for j, p in enumerate(pts) if owner[j] == k)
        if not mine:
            continue
        spacing = 280.0 if s["kind"] == "town" else 220.0
        core = TOWN_CORE_NAMES if s["kind"] == "town" else VILLAGE_CORE_NAMES
        core_r = max(250.0, 0.25 * s["R"]) if s["kind"] == "town" else 150.0
        taken = set()
        anchors = []                       # (x, y, name)
        for d, j in mine:
            p = pts[j]
            if any(math.hypot(p["x"] - ax, p["y"] - ay) < spacing for ax, ay, _ in anchors):
                continue
            n_core = sum(1 for a in anchors if a[2] in core)
            if d < core_r and n_core < len(core):
                name = core[n_core]
                taken.add(name)
            else:
                name = street_name(rng, town_sfx, taken)
            anchors.append((p["x"], p["y"], name))
        for d, j in mine:
            p = pts[j]
            p["name"] = min(anchors, key=lambda a: (a[0] - p["x"]) ** 2 + (a[1] - p["y"]) ** 2)[2]
            u = rng.random()
            if s["kind"] == "town" and d < core_r * 1.3:
                if u < 0.12:
                    p["name"] = "Shopping Area"
                elif u < 0.18:
                    p["name"] = "Parking Area"
                elif u < 0.21:
                    p["name"] = "Supermarket"
            elif s["kind"] == "town":
                for lim, name in ((0.04, "Parking Area"), (0.065, "Sports/Recreation Area"),
                                  (0.085, "Park/Open Space"), (0.10, "Supermarket"),
                                  (0.112, "Petrol Station")):
                    if u < lim:
                        p["name"] = name
                        break
            elif u < 0.03:
                p["name"] = "Parking Area"
        if s["kind"] == "town":          # one-off public buildings
            extras = ["Bus/Coach Station", "Police Station"]
            if s["pop"] >= 15000:
                extras += ["Further/Higher Educational Building", "Hospital"]
            if s["pop"] >= 50000:
                extras += ["Theatre/Concert Hall", "Conference/Exhibition Centre"]
            ring = [j for d, j in mine if core_r * 0.8 < d < s["R"] and pts[j]["special"] is None]
            for name in extras:
                if ring:
                    j = ring.pop(rng.index(len(ring)))
                    pts[j]["name"] = name
    for j, p in enumerate(pts):
        if owner[j] >= 0:
            continue
        u = rng.random()
        if u < 0.05:
            p["name"] = "A3%02d" % (40 + rng.index(60))
        elif u < 0.07:
            p["name"] = "Petrol Station"
        elif u < 0.10:
            p["name"] = "Parking Area"
        elif u < 0.115:
            p["name"] = "Sports/Recreation Area"
        else:
            p["name"] = "%s %s" % (STEMS[rng.index(len(STEMS))], rural_sfx.pick(rng))
    # the hot spots' own points
    for p in pts:
        sp = p["special"]
        if sp is None:
            continue
        kind, k = sp
        if kind == "nte":
            p["name"] = ["Nightclub", "Nightclub", "Theatre/Concert Hall", "High Street"][k]
        elif kind == "retail":
            p["name"] = ["Supermarket", "Shopping Area"][k]
        elif kind == "spree":
            p["name"] = "Parking Area"
    # a few names with a district, which need quoting in CSV
    for h in HOTSPOTS:
        if h[0] != "estate":
            continue
        hx, hy = hotspot_centre(h, settlements)
        town = next(s for s in settlements if s["name"] == h[1])
        district = h[6].split()[0]
        # a quiet street on the far side of the estate from the town centre
        cands = sorted((math.hypot(p["x"] - hx, p["y"] - hy), j) for j, p in enumerate(pts)
                       if p["special"] is None and p["name"] not in POI_NAMES
                       and math.hypot(p["x"] - town["x"], p["y"] - town["y"]) > h[3] + 300)
        d, j = cands[0]
        pts[j]["name"] = "%s, %s" % (pts[j]["name"], district)


def build_outside_points(rng, simple, arcs):
    """Fictional zones of neighbouring areas, 5-40 km outside the county,
    each with a few map points.  Returns (zones, points)."""
    edge = []
    for (pts, left, right), sp in zip(arcs, simple):
        if left < 0 or right < 0:
            edge.extend(zip(sp, sp[1:]))

    def dist_out(x, y):
        return math.sqrt(min(seg_dist2(x, y, p[0], p[1], q[0], q[1]) for p, q in edge))

    cx, cy = COUNTY_CENTRE
    zones, points = [], []
    counters = {}
    k = 0
    while len(zones) < 40:
        k += 1
        if k > 5000:
            raise RuntimeError("could not place neighbouring zones")
        ang = rng.uniform_(0, 2 * math.pi)
        rad = rng.uniform_(45000, 70000)
        x, y = cx + rad * math.cos(ang), cy + rad * math.sin(ang)
        if not 8000 <= dist_out(x, y) <= 34000:
            continue
        quadrant = int(((math.degrees(math.atan2(x - cx, y - cy)) + 45) % 360) // 90)
        district = NEIGHBOUR_DISTRICTS[quadrant]
        counters[district] = counters.get(district, 0) + 1
        zone = {"code": "E%08d" % (1909001 + len(zones)),
                "name": "%s %03d%s" % (district, 2 * counters[district] + rng.index(2),
                                       "ABCDE"[rng.index(5)]),
                "x": x, "y": y, "points": []}
        for _ in range(4):
            px = round(x + rng.normal(0, 400))
            py = round(y + rng.normal(0, 400))
            if 5000 <= dist_out(px, py) <= 40000:
                zone["points"].append(len(points))
                points.append({"x": px, "y": py, "zone": -1, "outside_zone": len(zones),
                               "name": "%s %s" % (STEMS[rng.index(len(STEMS))],
                                                  Picker(RURAL_SUFFIX).pick(rng)),
                               "special": None})
        if zone["points"]:
            zones.append(zone)
    return zones, points


# ===========================================================================
# Geography pipeline
# ===========================================================================
def build_geography():
    """Stages 1-5: county, population, zones, boards, polygons."""
    rng = Rand(SEED)
    outline = county_outline(rng)
    inside = rasterise_polygon(outline)
    settlements = build_settlements(Rand(SEED + 1), inside)
    popgrid, rural_density = build_population(Rand(SEED + 2), inside, settlements)
    lab, nz = build_zone_labels(Rand(SEED + 3), inside, popgrid, settlements)
    # one piece per zone and no corner pinches, then boards, then no board
    # pinches either (which may move cells between zones, so repeat)
    board_of = None
    for _ in range(30):
        changed = merge_fragments(lab)
        changed += remove_pinches(lab, lambda z: z)
        if board_of is not None:
            changed += remove_pinches(lab, lambda z: board_of[z])
        if changed == 0 and board_of is not None:
            break
        if changed == 0 and board_of is None:
            pop, cnt, cent, adj = zone_stats(lab, popgrid, nz)
            if min(cnt) == 0:
                raise RuntimeError("an empty zone")
            board_of = assign_boards(lab, adj, cent)
    else:
        raise RuntimeError("label raster did not settle")
    pop, cnt, cent, adj = zone_stats(lab, popgrid, nz)
    for i in range(NX * NY):             # zone populations are what the lattice says
        if lab[i] < 0:
            popgrid[i] = 0.0
    info = name_zones(board_of, adj, cent)
    for z in range(nz):
        info[z]["population"] = int(round(pop[z]))
        info[z]["centroid"] = cent[z]
        info[z]["cells"] = cnt[z]
    arcs = trace_arcs(lab)
    simple = simplify_arcs(arcs, SIMPLIFY_TOLERANCE)
    zone_polys = build_polygons(arcs, simple, lambda z: z, nz)
    board_polys = build_polygons(arcs, simple, lambda z: board_of[z], len(BOARDS))
    return {"outline": outline, "settlements": settlements, "popgrid": popgrid,
            "rural_density": rural_density, "lab": lab, "board_of": board_of,
            "zones": info, "arcs": arcs, "simple": simple,
            "zone_polys": zone_polys, "board_polys": board_polys}


# ===========================================================================
# 7. Incidents
# ===========================================================================
def hours(segments, base):
    """24 hourly weights: `base` everywhere, `v` on hours h0..h1-1 (which may
    run past midnight, e.g. 22..30)."""
    w = [base] * 24
    for h0, h1, v in segments:
        for h in range(h0, h1):
            w[h % 24] = v
    return w


HOUR_PROFILES = {
    "evening": hours([(7, 17, 0.8), (17, 24, 1.6), (24, 26, 1.0)], 0.25),
    "res_violence": hours([(8, 17, 1.0), (17, 24, 2.0), (24, 27, 1.3)], 0.35),
    "asb": hours([(9, 15, 1.0), (15, 23, 2.4), (23, 25, 1.0)], 0.2),
    "burglary": hours([(8, 17, 1.2), (17, 23, 2.0), (23, 30, 0.6)], 0.3),
    "night": hours([(22, 30, 2.0)], 0.5),
    "vehicle": hours([(18, 24, 1.5), (24, 31, 2.0), (7, 18, 0.6)], 0.5),
    "cd": hours([(15, 24, 1.8), (24, 27, 1.4)], 0.5),
    "drugs": hours([(12, 24, 1.5), (24, 27, 1.2)], 0.3),
    "shop": hours([(8, 9, 0.3), (9, 12, 1.2), (12, 17, 2.0), (17, 19, 1.2), (19, 21, 0.4)], 0.02),
    "day": hours([(8, 20, 1.5)], 0.3),
}
# weekday weights, Monday first
DOW_PROFILES = {
    "default": [1, 1, 1, 1, 1.05, 1.1, 1.0],
    "res_violence": [0.9, 0.9, 0.9, 0.95, 1.05, 1.3, 1.3],
    "asb": [0.95, 0.95, 0.95, 1.0, 1.15, 1.2, 1.0],
    "shop": [1, 1, 1, 1, 1.05, 1.2, 0.7],
}
# night-time economy: the evening a night out starts (Monday first) and the
# hour, 21:00-02:59; events after midnight carry the next day's date
NTE_NIGHTS = [0.02, 0.02, 0.04, 0.08, 0.38, 0.42, 0.04]
NTE_HOURS = Picker([(21, 0.07), (22, 0.13), (23, 0.20), (0, 0.24), (1, 0.21), (2, 0.15)])
UNKNOWN_TIME_TYPES = {BURG, VEH, CD, OTHEFT, BIKE}


def choose_profile(rng, kind, ctype, code):
    """Time-of-day habit of an incident, from its source and type."""
    u = rng.random()
    if kind == "spree":
        return "vehicle"
    if kind == "nte":
        return "nte" if u < 0.85 else "evening"
    if kind in ("centre", "retail"):
        if ctype in (VIOL, PUBORD):
            return "nte" if u < 0.5 else "evening"
        if ctype == ASB:
            return "nte" if u < 0.3 else "asb"
        if ctype == TFP:
            return "nte" if u < 0.25 else "shop"
        if ctype in (DRUGS, WEAP):
            return "nte" if u < 0.4 else "drugs"
        if ctype == SHOP:
            return "shop"
        if ctype == ROBB:
            return "evening"
        return "day"
    return {VIOL: "res_violence", ASB: "asb", VEH: "vehicle", CD: "cd",
            DRUGS: "drugs", BIKE: "day", SHOP: "shop", TFP: "day",
            ROBB: "evening", OTHEFT: "day", OTHER: "evening", WEAP: "evening",
            PUBORD: "evening",
            BURG: "night" if code in ("30C", "30D") else "burglary"}[ctype]


class Clock:
    """Samples dates and times for a month according to a profile."""

    def __init__(self):
        self.day_pickers = {}
        self.hour_pickers = {k: Picker(list(enumerate(v))) for k, v in HOUR_PROFILES.items()}

    def days(self, year, month, weights):
        key = (year, month, tuple(weights))
        if key not in self.day_pickers:
            dim = calendar.monthrange(year, month)[1]
            self.day_pickers[key] = Picker([(d, weights[datetime.date(year, month, d).weekday()])
                                            for d in range(1, dim + 1)])
        return self.day_pickers[key]

    def sample(self, rng, year, month, profile):
        if profile == "nte":
            nights = self.days(year, month, NTE_NIGHTS)
            while True:
                day = datetime.date(year, month, nights.pick(rng))
                hour = NTE_HOURS.pick(rng)
                if hour < 12:
                    day += datetime.timedelta(days=1)
                if day.month == month:
                    break
        else:
            dow = DOW_PROFILES.get(profile, DOW_PROFILES["default"])
            day = datetime.date(year, month, self.days(year, month, dow).pick(rng))
            hour = self.hour_pickers[profile].pick(rng)
        u = rng.random()
        minute = 0 if u < 0.2 else 30 if u < 0.3 else rng.index(60)
        return day, "%02d:%02d" % (hour, minute)


# ---------------------------------------------------------------------------
# Time windows ("committed from" / "committed to") of the local extract.
# Drawn after everything else from their own stream (WINDOW_SEED), one row
# after another in extract order, so they change no other value.  Every
# window holds the incident's own date and time (the true time), except
# the deliberate data-entry errors (an empty end, an end before the start).
# ---------------------------------------------------------------------------
WINDOW_SEED = SEED + 20
WINDOW_EMPTY_END = 0.010     # share of windowed rows with occurred_to empty
WINDOW_REVERSED = 0.003      # ... and with occurred_to before occurred_from
BURGLARY_AWAY = 0.05         # burglaries while the occupants were away 2-9 days
AWAY_DAYS = Picker({2: 32, 3: 16, 4: 11, 5: 8, 6: 7, 7: 10, 8: 8, 9: 8})
# share of rows with an exact time (occurred_from = occurred_to), by code;
# the rest of these types get a window of 1-12 hours
EXACT_SHARE = {
    "28E": 0.05, "30C": 0.05, "28F": 0.25, "30D": 0.25,     # disturbed
    "126": 0.30, "37.2": 0.50,                               # seen
    "56A": 0.80, "56B": 0.80, "58A": 0.35, "58B": 0.35, "58C": 0.35, "58D": 0.35,
    "53H": 0.90, "35": 0.60, "40": 0.30, "41": 0.30, "42": 0.30, "47": 0.30,
    "49": 0.30, "44": 0.25,
}
EXACT_OTHERWISE = 0.90       # other types: exact, else a 10-60 minute window


def hm(day, h, m=0):
    return datetime.datetime(day.year, day.month, day.day) + datetime.timedelta(hours=h, minutes=m)


def draw_between(w, lo, hi):
    """A whole minute in [lo, hi] (datetimes, lo <= hi)."""
    span = int((hi - lo).total_seconds()) // 60
    return lo + datetime.timedelta(minutes=w.index(span + 1))


def draw_start(w, t, lo, hi):
    """A start in [lo, hi] that is not after t (lo <= t)."""
    return draw_between(w, lo, min(hi, t))


def draw_end(w, t, lo, hi):
    """An end in [lo, hi] that is not before t (t <= hi)."""
    return draw_between(w, max(lo, t), hi)


def around(w, t, lo_min, hi_min, log=False):
    """A window of lo_min..hi_min minutes (log-uniform if log) with t at a
    uniformly random place inside it."""
    if log:
        length = math.exp(w.uniform_(math.log(lo_min), math.log(hi_min)))
    else:
        length = w.uniform_(lo_min, hi_min)
    before = int(round(w.random() * length))
    start = t - datetime.timedelta(minutes=before)
    return start, start + datetime.timedelta(minutes=max(before, int(round(length))))


def overnight(w, t, start_lo, start_hi, end_lo, end_hi):
    """From the evening before (start_lo..start_hi, hours after midnight of
    that evening's day) to the next morning (end_lo..end_hi hours)."""
    eve = t.date() if t.hour >= 12 else t.date() - datetime.timedelta(days=1)
    start = draw_start(w, t, hm(eve, 0, int(start_lo * 60)), hm(eve, 0, int(start_hi * 60)))
    morning = eve + datetime.timedelta(days=1)
    end = draw_end(w, t, hm(morning, 0, int(end_lo * 60)), hm(morning, 0, int(end_hi * 60)))
    return start, end


def working_day(w, t):
    """Left at 07:30-09:00, back at 16:30-18:30 (t between 08:00 and 17:00)."""
    d = t.date()
    return (draw_start(w, t, hm(d, 7, 30), hm(d, 9)),
            draw_end(w, t, hm(d, 16, 30), hm(d, 18, 30)))


def away(w, t):
    """Occupants away k days: left 07:30-19:00, back k days later 10:00-22:00."""
    k = AWAY_DAYS.pick(w)
    while True:
        d0 = t.date() - datetime.timedelta(days=w.index(k + 1))
        start = hm(d0, 0, 450 + w.index(691))              # 07:30-19:00
        end = hm(d0 + datetime.timedelta(days=k), 0, 600 + w.index(721))  # 10:00-22:00
        if start <= t <= end:
            return start, end


def burglary_window(w, t, code):
    business = code in ("30C", "30D")
    if w.random() < BURGLARY_AWAY:
        return away(w, t)
    m = t.hour * 60 + t.minute
    if 8 * 60 <= m < 17 * 60:
        return working_day(w, t)
    if 17 * 60 <= m < 23 * 60 and not business and w.random() < 0.3:
        return around(w, t, 120, 360)                      # out for the evening
    if business:
        start, end = overnight(w, t, 17, 20, 6.5, 9)       # closing to opening
        eve = (end - datetime.timedelta(days=1)).date()
        # closed for the weekend: Saturday afternoon to Monday morning
        if eve.weekday() == 5 or (eve.weekday() == 6 and w.random() < 0.7):
            sat = eve - datetime.timedelta(days=eve.weekday() - 5)
            start = draw_start(w, t, hm(sat, 12), hm(sat, 18))
            if eve.weekday() == 5:
                end = end + datetime.timedelta(days=1)
        return start, end
    return overnight(w, t, 17, 23.5, 6.5, 9)


def vehicle_window(w, t, spree):
    if spree and w.random() < 0.8:
        return around(w, t, 60, 240)                       # car park, 1-4 h
    m = t.hour * 60 + t.minute
    if 8 * 60 <= m < 17 * 60:
        return working_day(w, t) if w.random() < 0.55 else around(w, t, 60, 240)
    if w.random() < 0.75:
        return overnight(w, t, 16.5, 22.5, 6.5, 8.5)       # parked for the night
    return around(w, t, 60, 240)


def snap5(start, end):
    """Round a window outwards to whole five minutes, as people report them."""
    start -= datetime.timedelta(minutes=start.minute % 5)
    if end.minute % 5:
        end += datetime.timedelta(minutes=5 - end.minute % 5)
    return start, end


def occurrence_window(w, inc):
    """(occurred_from, occurred_to, kind) of an extract row: datetimes, or
    None for an empty end.  kind: exact, window, unknown-time (a whole day),
    empty end, reversed."""
    t = datetime.datetime.combine(inc["date"], datetime.time(*map(int, inc["time"].split(":"))))
    ctype, code = inc["type"], inc["code"]
    if inc.get("time_unknown"):
        start, end = hm(t.date(), 0), hm(t.date(), 23, 59)  # the day, no time
    elif w.random() < EXACT_SHARE.get(code, EXACT_OTHERWISE if ctype not in UNKNOWN_TIME_TYPES else 0.0):
        return t, t, "exact"
    elif ctype == BURG:
        start, end = snap5(*burglary_window(w, t, code))
    elif ctype == VEH:
        start, end = snap5(*vehicle_window(w, t, inc["kind"] == "spree"))
    elif ctype in UNKNOWN_TIME_TYPES:
        start, end = snap5(*around(w, t, 60, 720, log=True))
    else:
        start, end = snap5(*around(w, t, 10, 60))
    if not start <= t <= end or start == end:
        raise RuntimeError("window %s - %s misses %s" % (start, end, t))
    kind = "unknown-time" if inc.get("time_unknown") else "window"
    u = w.random()
    if u < WINDOW_EMPTY_END:
        return start, None, "empty end"
    if u < WINDOW_EMPTY_END + WINDOW_REVERSED:
        # the end's time typed on the start's day (or the day before)
        end = datetime.datetime.combine(start.date(), end.time())
        if end >= start:
            end -= datetime.timedelta(days=1)
        return start, end, "reversed"
    return start, end, kind


def season_factor(ctype, month):
    amp, peak = SEASON.get(ctype, (0.0, 1))
    return 1.0 + amp * math.cos(2.0 * math.pi * (month - peak) / 12.0)


def trend_factor(board_name, ctype, year):
    return TRENDS.get((board_name, ctype, year), 1.0) * TRENDS.get((None, ctype, year), 1.0)


def normalise(mix):
    total = float(sum(mix.values()))
    return [(t, mix[t] / total) for t in CRIME_TYPES if mix.get(t, 0) > 0]


def build_sources(rng, geo, zidx):
    """All in-county incident sources.  Each is a dict with kind, context
    (for offence codes), board name, monthly rate (relative), type mix,
    sampler and, optionally, the months it is active."""
    zones = geo["zones"]
    lab, popgrid = geo["lab"], geo["popgrid"]
    # cells of each zone with cumulative population, for residential sampling
    cells = [[] for _ in zones]
    for i in range(NX * NY):
        if lab[i] >= 0 and popgrid[i] > 0:
            cells[lab[i]].append(i)
    sources = []
    for z, info in enumerate(zones):
        area_km2 = info["cells"] * CELL * CELL / 1e6
        dens = info["population"] / area_km2
        urban = 1.25 if dens > 1500 else 0.9 if dens > 300 else 0.55
        dep = math.exp(rng.normal(0.0, 0.35))
        cum, t = [], 0.0
        for i in cells[z]:
            t += popgrid[i]
            cum.append(t)
        sources.append({"kind": "residential", "context": "res" if dens > 300 else "rural",
                        "board": info["board_name"],
                        "rate": info["population"] / 1000.0 * 1.1 * urban * dep,
                        "mix": normalise(MIX_RESIDENTIAL if dens > 300 else MIX_RURAL),
                        "sampler": ("cells", cells[z], cum), "label": info["name"]})
    for s in geo["settlements"]:
        if s["kind"] != "town":
            continue
        z = zidx.zone_at(s["x"], s["y"])
        sources.append({"kind": "centre", "context": "centre",
                        "board": zones[z]["board_name"], "rate": 1.8 * s["pop"] / 1000.0,
                        "mix": normalise(MIX_CENTRE),
                        "sampler": ("gauss", s["x"], s["y"], clamp(0.12 * s["R"], 120.0, 300.0)),
                        "label": "%s town centre" % s["name"]})
    mixes = {"nte": MIX_NTE, "estate": MIX_ESTATE, "retail": MIX_RETAIL, "spree": {VEH: 1}}
    for h in HOTSPOTS:
        kind, town, _, _, sigma, rate, label = h
        x, y = hotspot_centre(h, geo["settlements"])
        z = zidx.zone_at(x, y)
        sources.append({"kind": kind, "context": "res" if kind == "estate" else "centre",
                        "board": zones[z]["board_name"], "rate": float(rate),
                        "mix": normalise(mixes[kind]), "sampler": ("gauss", x, y, sigma),
                        "label": label, "centre": (round(x), round(y)), "zone": z,
                        "months": SPREE_MONTHS if kind == "spree" else None})
    return sources


def sample_location(rng, sampler, zidx):
    """A true incident location (integer metres) inside the county, at
    least 1 m from any zone boundary."""
    for _ in range(1000):
        if sampler[0] == "cells":
            _, cells, cum = sampler
            i = cells[bisect.bisect_right(cum, rng.random() * cum[-1])]
            cx, cy = cell_centre(i)
            x = round(cx + rng.uniform_(-CELL / 2, CELL / 2))
            y = round(cy + rng.uniform_(-CELL / 2, CELL / 2))
        else:
            _, mx, my, sigma = sampler
            x = round(rng.normal(mx, sigma))
            y = round(rng.normal(my, sigma))
        # inside the county and not exactly on a boundary, so every
        # point-in-polygon test agrees on the zone
        if zidx.zone_at(x, y) >= 0 and zidx.boundary_distance(x, y, 2.0) >= 1.0:
            return x, y
    raise RuntimeError("could not sample a location in the county")


class SnapIndex:
    """Nearest map point look-up."""

    def __init__(self, pts):
        self.pts = pts
        self.grid = {}
        for k, p in enumerate(pts):
            self.grid.setdefault((p["x"] // 1000, p["y"] // 1000), []).append(k)

    def nearest(self, x, y):
        bx, by = x // 1000, y // 1000
        best, bk = None, -1
        ring = 0
        while True:
            for i in range(bx - ring, bx + ring + 1):
                for j in range(by - ring, by + ring + 1):
                    if max(abs(i - bx), abs(j - by)) != ring:
                        continue
                    for k in self.grid.get((i, j), ()):
                        p = self.pts[k]
                        d = (p["x"] - x) ** 2 + (p["y"] - y) ** 2
                        if best is None or d < best or (d == best and k < bk):
                            best, bk = d, k
            # every unvisited point is at least `ring` km away
            if best is not None and best <= (ring * 1000.0) ** 2:
                return bk
            ring += 1
            if ring > 100:
                raise RuntimeError("no map point found")


def pick_code(rng, ctype, context, pickers):
    table = CODE_WEIGHTS[ctype]
    key = (ctype, context if context in table else "*")
    if key not in pickers:
        pickers[key] = Picker(table[key[1]] if key[1] in table else table["res"])
    return pickers[key].pick(rng)


def pick_outcome(rng, ctype, year, month, pickers):
    """Police.uk last outcome; recent crimes are more often still under
    investigation or awaiting court."""
    age = (2024 - year) * 12 + (12 - month)           # months before 2024-12
    key = (ctype, min(age, 7))
    if key not in pickers:
        w = dict(OUTCOME_WEIGHTS[ctype])
        under = 10 if age == 0 else 6 if age == 1 else 3 if age <= 3 else 1.5 if age <= 6 else 1
        w[O_UNDER] = w.get(O_UNDER, 1) * under
        if age <= 6:
            w[O_AWAIT] = w.get(O_AWAIT, 1) * 3
        if age <= 3 and O_COURT in w:
            w[O_COURT] *= 0.3
        pickers[key] = Picker(sorted(w.items()))
    return pickers[key].pick(rng)


def generate_incidents(geo, zidx, snaps, out_zones, out_points):
    """Draw every incident.  Returns a list of dicts sorted by date/time."""
    rng = Rand(INCIDENT_SEED)
    sources = build_sources(Rand(INCIDENT_SEED + 1000), geo, zidx)
    # scale the relative rates to the target volume
    expected = 0.0
    for (year, month) in MONTHS:
        for src in sources:
            if src.get("months") and (year, month) not in src["months"]:
                continue
            for ctype, share in src["mix"]:
                expected += (src["rate"] * share * season_factor(ctype, month)
                             * trend_factor(src["board"], ctype, year))
    scale = TARGET_ROWS_PER_MONTH * len(MONTHS) * (1 - OUTSIDE_SHARE) / expected
    clock = Clock()
    snap_index = SnapIndex(snaps)
    code_pickers, outcome_pickers = {}, {}
    out_mix = normalise(MIX_OUTSIDE)
    incidents = []

    def finish(inc, kind, context):
        ctype = inc["type"]
        inc["code"] = pick_code(rng, ctype, context, code_pickers)
        profile = choose_profile(rng, kind, ctype, inc["code"])
        day, tod = clock.sample(rng, inc["year"], inc["month"], profile)
        if profile != "nte" and ctype in UNKNOWN_TIME_TYPES and rng.random() < 0.015:
            tod = "00:00"                      # time of offence not known
            inc["time_unknown"] = True
        inc["date"], inc["time"], inc["profile"] = day, tod, profile
        inc["outcome"] = "" if ctype == ASB else pick_outcome(
            rng, ctype, inc["year"], inc["month"], outcome_pickers)
        inc["seq"] = len(incidents)
        incidents.append(inc)

    for (year, month) in MONTHS:
        for si, src in enumerate(sources):
            if src.get("months") and (year, month) not in src["months"]:
                continue
            for ctype, share in src["mix"]:
                lam = (scale * src["rate"] * share * season_factor(ctype, month)
                       * trend_factor(src["board"], ctype, year))
                for _ in range(rng.poisson(lam)):
                    x, y = sample_location(rng, src["sampler"], zidx)
                    inc = {"year": year, "month": month, "type": ctype, "x": x, "y": y,
                           "source": si, "kind": src["kind"], "outside": False,
                           "true_zone": zidx.zone_at(x, y),
                           "snap": snap_index.nearest(x, y)}
                    finish(inc, src["kind"], src["context"])
        # crimes the force recorded outside its own area
        lam_out = TARGET_ROWS_PER_MONTH * OUTSIDE_SHARE
        for ctype, share in out_mix:
            for _ in range(rng.poisson(lam_out * share)):
                oz = out_zones[rng.index(len(out_zones))]
                k = oz["points"][rng.index(len(oz["points"]))]
                p = out_points[k]
                inc = {"year": year, "month": month, "type": ctype,
                       "x": round(rng.normal(p["x"], 250)), "y": round(rng.normal(p["y"], 250)),
                       "source": -1, "kind": "outside", "outside": True,
                       "true_zone": -1, "snap": k}
                finish(inc, "outside", "res")
    incidents.sort(key=lambda inc: (inc["date"], inc["time"], inc["seq"]))
    # police.uk rows without a location (~1%): mostly crimes with no real
    # place (harassment, malicious communications, "other crime")
    weights = []
    for inc in incidents:
        if inc["outside"]:
            w = 0.0
        elif inc["type"] == OTHER:
            w = 20.0
        elif inc["code"] in ("8R", "8L", "8S", "8Q", "35", "41", "42"):
            w = 12.0
        elif inc["type"] == ASB:
            w = 0.5
        else:
            w = 1.0
        weights.append(w)
    p_scale = 0.01 * len(incidents) / sum(weights)
    for inc, w in zip(incidents, weights):
        inc["no_location"] = rng.random() < w * p_scale
        # half of those have no coordinates in the force's own extract either
        inc["no_coords"] = inc["no_location"] and rng.random() < 0.5
    return incidents, sources, scale


# ===========================================================================
# 8. Output
# ===========================================================================
def to_wgs84(points):
    """(lon, lat) strings with 6 decimals for BNG points, one cs2cs call.
    cs2cs gives EPSG:4326 in its official latitude, longitude order."""
    text = "".join("%d %d\n" % (p["x"], p["y"]) for p in points)
    out = run(["cs2cs", "-f", "%.6f", "EPSG:27700", "EPSG:4326"], text).splitlines()
    if len(out) != len(points):
        sys.exit("cs2cs returned %d lines for %d points" % (len(out), len(points)))
    result = []
    for line in out:
        lat, lon = line.split()[:2]
        result.append((lon, lat))
    return result


def to_bng(lonlats):
    """Inverse of to_wgs84 (for checking): list of (lon, lat) strings."""
    text = "".join("%s %s\n" % (lat, lon) for lon, lat in lonlats)
    out = run(["cs2cs", "-f", "%.3f", "EPSG:4326", "EPSG:27700"], text).splitlines()
    return [tuple(float(v) for v in line.split()[:2]) for line in out]


def write_geojson(path, layer, features):
    """Write features (properties, rings) with ogr2ogr so GDAL records the
    CRS (RFC7946=NO keeps EPSG:27700) and rounds coordinates to 1 m."""
    fc = {"type": "FeatureCollection", "name": layer,
          "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
          "features": [{"type": "Feature", "properties": props,
                        "geometry": {"type": "Polygon",
                                     "coordinates": [[list(v) for v in ring] for ring in rings]}}
                       for props, rings in features]}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / ("%s.geojson" % layer)
        src.write_text(json.dumps(fc))
        if path.exists():
            path.unlink()
        run(["ogr2ogr", "-f", "GeoJSON", "-lco", "RFC7946=NO",
             "-lco", "COORDINATE_PRECISION=0", "-nln", layer, str(path), str(src)])


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def check_categories():
    """Warn if data/categories.csv no longer lists our codes in the groups
    we assume (the demo data itself does not depend on that file)."""
    if not CATEGORIES_CSV.exists():
        print("note: %s not found; offence codes not cross-checked" % CATEGORIES_CSV)
        return
    groups = {}
    lines = [l for l in CATEGORIES_CSV.read_text().splitlines() if not l.startswith("#")]
    for row in csv.DictReader(lines):
        groups[row["value"].strip().lower()] = row["group"].strip()
    for value, group in sorted(list(CODE_INFO.items())) + sorted(
            (t, (g, "")) for t, g in TYPE_GROUP.items()):
        g = group[0]
        if groups.get(value.lower()) != g:
            print("warning: categories.csv maps %r to %r, the demo assumes %r"
                  % (value, groups.get(value.lower()), g))
    for ctype, tables in CODE_WEIGHTS.items():
        for table in tables.values():
            for code in table:
                if CODE_INFO[code][0] != TYPE_GROUP[ctype]:
                    sys.exit("code %s is not in the group of %s" % (code, ctype))


def main():
    check_categories()
    geo = build_geography()
    zones, lab = geo["zones"], geo["lab"]
    zidx = ZoneIndex(lab, geo["zone_polys"], geo["simple"])
    snaps = build_snap_points(Rand(SEED + 10), geo["popgrid"], geo["settlements"], zidx)
    name_snap_points(Rand(SEED + 11), snaps, geo["settlements"])
    out_zones, out_points = build_outside_points(Rand(SEED + 12), geo["simple"], geo["arcs"])
    incidents, sources, scale = generate_incidents(geo, zidx, snaps, out_zones, out_points)

    # ---- exact area bookkeeping (integer coordinates, so exact) ----------
    zone_area2 = [sum(ring_area2(r) for r in rings) for rings in geo["zone_polys"]]
    board_area2 = [sum(ring_area2(r) for r in rings) for rings in geo["board_polys"]]
    county_polys = build_polygons(geo["arcs"], geo["simple"], lambda z: 0, 1)
    county_area2 = sum(ring_area2(r) for r in county_polys[0])
    if not (sum(zone_area2) == sum(board_area2) == county_area2):
        sys.exit("zone, board and county areas disagree")
    for b in range(len(BOARDS)):
        if board_area2[b] != sum(a for z, a in enumerate(zone_area2) if zones[z]["board"] == b):
            sys.exit("board %s is not the union of its zones" % BOARDS[b][0])

    # ---- boards, zones, populations ----------------------------------------
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    order = sorted(range(len(zones)), key=lambda z: zones[z]["code"])
    write_geojson(OUT_DIR / "boards.geojson", "boards",
                  [({"board_id": bid, "board_name": name}, geo["board_polys"][b])
                   for b, (bid, name, _, _, _) in enumerate(BOARDS)])
    write_geojson(OUT_DIR / "zones.geojson", "zones",
                  [({"zone_code": zones[z]["code"], "zone_name": zones[z]["name"],
                     "board_id": zones[z]["board_id"], "population": zones[z]["population"]},
                    geo["zone_polys"][z]) for z in order])
    write_csv(OUT_DIR / "zone_population.csv", ["zone_code", "population"],
              [[zones[z]["code"], zones[z]["population"]] for z in order])

    # ---- police.uk street files --------------------------------------------
    all_points = snaps + out_points
    lonlat = to_wgs84(all_points)
    crime_no = 0
    per_month = {ym: [] for ym in MONTHS}
    for inc in incidents:
        if inc["type"] != ASB:
            crime_no += 1
            inc["crime_id"] = hashlib.sha256(("demoshire/%d" % crime_no).encode()).hexdigest()
        else:
            inc["crime_id"] = ""
        ym = "%04d-%02d" % (inc["year"], inc["month"])
        if inc["no_location"]:
            row = [inc["crime_id"], ym, FORCE, FORCE, "", "", "No Location", "", "",
                   inc["type"], inc["outcome"], ""]
        else:
            if inc["outside"]:
                p = out_points[inc["snap"]]
                oz = out_zones[p["outside_zone"]]
                code, name = oz["code"], oz["name"]
                lon, lat = lonlat[len(snaps) + inc["snap"]]
            else:
                p = snaps[inc["snap"]]
                code, name = zones[p["zone"]]["code"], zones[p["zone"]]["name"]
                lon, lat = lonlat[inc["snap"]]
            row = [inc["crime_id"], ym, FORCE, FORCE, lon, lat, "On or near " + p["name"],
                   code, name, inc["type"], inc["outcome"], ""]
        inc["row"] = row
        per_month[(inc["year"], inc["month"])].append(inc)
    pdir = OUT_DIR / "policeuk"
    if pdir.exists():
        shutil.rmtree(pdir)
    for (year, month), incs in per_month.items():
        ym = "%04d-%02d" % (year, month)
        rows = [i["row"] for i in incs if not i["no_location"]] + \
               [i["row"] for i in incs if i["no_location"]]
        write_csv(pdir / ym / ("%s-demoshire-street.csv" % ym), POLICEUK_HEADER, rows)

    # ---- local extract -------------------------------------------------------
    rows = []
    counters = {}
    wrng = Rand(WINDOW_SEED)
    for inc in incidents:
        start, end, inc["window_kind"] = occurrence_window(wrng, inc)
        inc["window"] = (start, end)
        yy = inc["year"] % 100
        counters[yy] = counters.get(yy, 0) + 1
        if inc["outside"]:
            beat = ""
        else:
            beat = zones[inc["true_zone"]]["beat"]
        e, n = ("", "") if inc["no_coords"] else (inc["x"], inc["y"])
        rows.append(["%02d/%05d" % (yy, counters[yy]), inc["code"], CODE_INFO[inc["code"]][1],
                     inc["date"].strftime("%d/%m/%Y"), inc["time"], e, n, beat,
                     start.strftime("%Y-%m-%d %H:%M"),
                     "" if end is None else end.strftime("%Y-%m-%d %H:%M")])
    write_csv(OUT_DIR / "local" / "demoshire-extract-2023-2024.csv", EXTRACT_HEADER, rows)

    # ---- checks and summary --------------------------------------------------
    stats = self_check(geo, zidx, incidents, snaps, out_points, lonlat)
    stats.update(summarise(geo, incidents, sources, snaps, out_zones, scale))
    ogr = validate_with_ogr()
    write_readme(stats, sources)
    print_summary(stats, ogr)


def self_check(geo, zidx, incidents, snaps, out_points, lonlat):
    """Convert every police.uk point back to BNG and check it lies in the
    zone its LSOA code names (outside rows: 5-40 km outside the county)."""
    zones = geo["zones"]
    code_zone = {z["code"]: k for k, z in enumerate(zones)}
    used = sorted({(inc["outside"], inc["snap"]) for inc in incidents if not inc["no_location"]})
    back = to_bng([lonlat[k + (len(snaps) if out else 0)] for out, k in used])
    edge = []
    for (pts, left, right), sp in zip(geo["arcs"], geo["simple"]):
        if left < 0 or right < 0:
            edge.extend(zip(sp, sp[1:]))
    bad_in, bad_out, max_shift = 0, 0, 0.0
    for (out, k), (x, y) in zip(used, back):
        p = out_points[k] if out else snaps[k]
        max_shift = max(max_shift, math.hypot(x - p["x"], y - p["y"]))
        z = zidx.zone_at(x, y)
        if out:
            d = math.sqrt(min(seg_dist2(x, y, a[0], a[1], b[0], b[1]) for a, b in edge))
            if z >= 0 or not 5000 <= d <= 40000:
                bad_out += 1
        elif z != p["zone"] or zones[z]["code"] not in code_zone:
            bad_in += 1
    if bad_in or bad_out:
        sys.exit("round-trip check failed: %d in-county, %d outside points misplaced"
                 % (bad_in, bad_out))
    return {"checked_points": len(used), "round_trip_max_shift": max_shift}


def validate_with_ogr():
    """Validity and tiling checks with GDAL's SQLite dialect (SpatiaLite).
    Returns a dict of results, or None if the dialect lacks the functions."""
    def q(path, sql):
        res = subprocess.run(["ogrinfo", "-q", "-dialect", "sqlite", "-sql", sql, str(path)],
                             capture_output=True, text=True)
        vals = [l.split("=", 1)[1].strip() for l in res.stdout.splitlines() if " = " in l]
        return vals if res.returncode == 0 and vals else None
    zpath, bpath = OUT_DIR / "zones.geojson", OUT_DIR / "boards.geojson"
    zi = q(zpath, "SELECT count(*) FROM zones WHERE NOT ST_IsValid(geometry)")
    if zi is None:
        return None
    bi = q(bpath, "SELECT count(*) FROM boards WHERE NOT ST_IsValid(geometry)")
    za = q(zpath, "SELECT sum(ST_Area(geometry)), ST_Area(ST_Union(geometry)) FROM zones")
    ba = q(bpath, "SELECT sum(ST_Area(geometry)), ST_Area(ST_Union(geometry)) FROM boards")
    res = {"invalid_zones": int(zi[0]), "invalid_boards": int(bi[0]),
           "zone_area_sum": float(za[0]), "zone_union_area": float(za[1]),
           "board_area_sum": float(ba[0]), "board_union_area": float(ba[1])}
    if (res["invalid_zones"] or res["invalid_boards"]
            or abs(res["zone_area_sum"] - res["zone_union_area"]) > 1.0
            or abs(res["zone_area_sum"] - res["board_area_sum"]) > 1.0):
        sys.exit("GDAL validation failed: %r" % res)
    return res


def summarise(geo, incidents, sources, snaps, out_zones, scale):
    """Counts for the summary and the README."""
    zones = geo["zones"]
    pops = [z["population"] for z in zones]
    st = {"n_zones": len(zones), "pop_total": sum(pops), "pop_min": min(pops),
          "pop_max": max(pops), "pop_mean": sum(pops) / len(pops),
          "n_snaps": len(snaps), "n_out_zones": len(out_zones),
          "n_villages": sum(1 for s in geo["settlements"] if s["kind"] == "village"),
          "rural_density": geo["rural_density"], "scale": scale}
    st["boards"] = []
    for b, (bid, name, _, _, _) in enumerate(BOARDS):
        zs = [z for z in zones if z["board"] == b]
        st["boards"].append((bid, name, len(zs), sum(z["population"] for z in zs)))
    rows = len(incidents)
    asb = sum(1 for i in incidents if i["type"] == ASB)
    st.update({"rows": rows, "asb_rows": asb, "crime_rows": rows - asb,
               "no_location": sum(1 for i in incidents if i["no_location"]),
               "outside": sum(1 for i in incidents if i["outside"] and not i["no_location"]),
               "no_coords": sum(1 for i in incidents if i["no_coords"]),
               "comma_rows": sum(1 for i in incidents if "," in i["row"][6]),
               "distinct_points": len({(i["row"][4], i["row"][5]) for i in incidents
                                       if not i["no_location"]})})
    kinds = [i["window_kind"] for i in incidents]
    st.update({"win_" + k.replace(" ", "_").replace("-", "_"): kinds.count(k)
               for k in ("exact", "window", "unknown-time", "empty end", "reversed")})
    spans = [i["window"][1] - i["window"][0] for i in incidents
             if i["window_kind"] in ("window", "unknown-time")]
    st["win_windowed"] = len(spans)
    st["win_upto_1h"] = sum(1 for d in spans if d <= datetime.timedelta(hours=1))
    st["win_multiday"] = sum(1 for d in spans if d >= datetime.timedelta(days=2))
    st["win_week"] = sum(1 for d in spans if d >= datetime.timedelta(days=7))
    burg = [i for i in incidents
            if i["type"] == BURG and i["window_kind"] in ("window", "unknown-time")]
    st["win_burglary"] = len(burg)
    st["win_burglary_night"] = sum(1 for i in burg if i["window"][1].date() > i["window"][0].date())
    per_month = {}
    for i in incidents:
        per_month[(i["year"], i["month"])] = per_month.get((i["year"], i["month"]), 0) + 1
    st["month_min"] = min(per_month.values())
    st["month_max"] = max(per_month.values())
    st["by_type"] = [(t, sum(1 for i in incidents if i["type"] == t)) for t in CRIME_TYPES]
    # what an analyst sees from police.uk: counts by LSOA board and year
    code_board = {z["code"]: z["board_name"] for z in zones}

    def count(board, ctype, year, month=None):
        return sum(1 for i in incidents if i["type"] == ctype and i["year"] == year
                   and (month is None or i["month"] == month)
                   and (board is None or code_board.get(i["row"][7]) == board))
    st["trends"] = []
    for (board, ctype, year), f in sorted(TRENDS.items(), key=lambda kv: str(kv[0])):
        a, b = count(board, ctype, 2023), count(board, ctype, 2024)
        st["trends"].append((board or "county-wide", ctype, a, b, f))
    st["asb_july"] = (count(None, ASB, 2023, 7) + count(None, ASB, 2024, 7))
    st["asb_jan"] = (count(None, ASB, 2023, 1) + count(None, ASB, 2024, 1))
    # hot spots: zone of the centre and rows snapped into that zone
    st["hotspots"] = []
    for si, src in enumerate(sources):
        if "centre" not in src:
            continue
        zone = zones[src["zone"]]
        n = sum(1 for i in incidents if i["source"] == si)
        st["hotspots"].append((src["label"], src["centre"], zone["code"], zone["name"], n))
    nte = next(si for si, s in enumerate(sources) if s["kind"] == "nte")
    nte_rows = [i for i in incidents if i["source"] == nte]
    night = [i for i in nte_rows if i["profile"] == "nte"]
    st["nte_rows"] = len(nte_rows)
    st["nte_share_viol"] = sum(1 for i in nte_rows if i["type"] == VIOL) / len(nte_rows)
    st["nte_share_night"] = len(night) / len(nte_rows)
    st["holes"] = []
    outer = {tuple(sorted(rings[0][:-1])): z for z, rings in enumerate(geo["zone_polys"])}
    for z, rings in enumerate(geo["zone_polys"]):
        for hole in rings[1:]:
            inner = outer.get(tuple(sorted(hole[:-1])))
            st["holes"].append((zones[z]["code"], zones[z]["name"],
                                zones[inner]["code"] if inner is not None else "?"))
    files = sorted(p for p in OUT_DIR.rglob("*") if p.is_file() and p.name != "README.md")
    st["sizes"] = [(str(p.relative_to(OUT_DIR)), p.stat().st_size) for p in files]
    return st


def write_readme(st, sources):
    pct = lambda n: 100.0 * n / st["rows"]
    police_size = sum(s for p, s in st["sizes"] if p.startswith("policeuk"))
    size = dict(st["sizes"])
    total = sum(s for _, s in st["sizes"])
    lines = []
    add = lines.append
    add("# Demoshire: synthetic demo data for Hotspot")
    add("")
    add("**Everything here is synthetic.** Demoshire, its towns, zones, boards,")
    add("streets and incidents are invented by `scripts/make_demo.py`; they are not")
    add("real crime data and do not describe any real place. Zone codes use an")
    add("unused range (E01900001 onwards) so they cannot be mistaken for real LSOAs.")
    add("Volumes are deliberately small (about a fifth of a real county's) to keep")
    add("the repository light.")
    add("")
    add("Regenerate (deterministic, byte-for-byte identical output; Python 3")
    add("standard library plus the `ogr2ogr` and `cs2cs` command-line tools):")
    add("")
    add("    python3 scripts/make_demo.py")
    add("")
    add("## The county")
    add("")
    add("A county of %d people in British National Grid (EPSG:27700), roughly"
        % st["pop_total"])
    add("E 383-447 km, N 123-197 km: a county town (Castleton, ~62,000), towns of")
    add("~20,000 (Brackenford, Ashbury, Marlcombe), market towns, %d villages and"
        % st["n_villages"])
    add("open country (~%d people/km2 outside settlements)." % round(st["rural_density"]))
    add("")
    add("- **%d zones** (LSOA-like): %d-%d residents, mean %d; small in towns, large"
        % (st["n_zones"], st["pop_min"], st["pop_max"], round(st["pop_mean"])))
    add("  in the country. They tile the county exactly (no gaps or overlaps).")
    add("  Names follow ONS style: board name + MSOA-like number + letter")
    add("  (\"Castleton 004B\").")
    add("- **18 area boards**, each a contiguous union of whole zones, named after")
    add("  its main town (two rural boards are \"... Villages\"):")
    add("")
    add("| board_id | board_name | zones | population |")
    add("| --- | --- | ---: | ---: |")
    for bid, name, nz, pop in st["boards"]:
        add("| %s | %s | %d | %d |" % (bid, name, nz, pop))
    add("")
    add("## Files")
    add("")
    add("| file | what | size |")
    add("| --- | --- | ---: |")
    add("| `boards.geojson` | board polygons: `board_id`, `board_name` | %d kB |"
        % round(size["boards.geojson"] / 1000))
    add("| `zones.geojson` | zone polygons: `zone_code`, `zone_name`, `board_id`, `population` | %d kB |"
        % round(size["zones.geojson"] / 1000))
    add("| `zone_population.csv` | `zone_code,population` (same numbers) | %d kB |"
        % round(size["zone_population.csv"] / 1000))
    add("| `policeuk/YYYY-MM/YYYY-MM-demoshire-street.csv` | police.uk street-level crime, 24 months | %d kB |"
        % round(police_size / 1000))
    add("| `local/demoshire-extract-2023-2024.csv` | the force's own extract, same incidents | %d kB |"
        % round(size["local/demoshire-extract-2023-2024.csv"] / 1000))
    add("")
    add("Total %.1f MB. The GeoJSON files are written by ogr2ogr with `RFC7946=NO`, so" % (total / 1e6))
    add("they carry a `crs` member (EPSG:27700) and BNG coordinates in whole metres;")
    add("outer rings are counter-clockwise, holes clockwise. All are single")
    add("Polygons (no MultiPolygons).")
    for code, name, inner in st["holes"]:
        add("Zone %s (%s) has a hole: zone %s lies entirely inside it" % (code, name, inner))
        add("(a village zone wrapped by its rural parish zone).")
    add("")
    add("### police.uk street files")
    add("")
    add("Exactly the real header and conventions:")
    add("`Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context`.")
    add("")
    add("- `Crime ID`: 64 hex characters; **empty for anti-social behaviour**.")
    add("- `Reported by` / `Falls within`: `Demoshire Police`.")
    add("- `Longitude`/`Latitude`: WGS84, 6 decimals, converted from BNG with")
    add("  `cs2cs EPSG:27700 EPSG:4326` (PROJ's Helmert OSGB36->WGS84, ~2 m).")
    add("  Points are **snapped to %d anonymous map points** (street centres and" % st["n_snaps"])
    add("  places such as \"Nightclub\" or \"Supermarket\"), as police.uk does, so many")
    add("  rows share coordinates (%d distinct points in use). Every map point is at" % st["distinct_points"])
    add("  least %d m from any zone boundary, so any reasonable BNG conversion puts" % SNAP_BOUNDARY_CLEARANCE)
    add("  it in the zone named by `LSOA code`.")
    add("- `Location`: `On or near <street or place>`; %d rows have a comma in it" % st["comma_rows"])
    add("  (e.g. `\"On or near Mill Road, Eastfield\"`) and are quoted; nothing else is.")
    add("- `Crime type`: the 14 current police.uk types; `Last outcome category`")
    add("  empty for ASB; `Context` always empty. LF line endings, UTF-8, no BOM.")
    add("- **No-location rows**: %d rows have empty Longitude, Latitude, LSOA code and"
        % st["no_location"])
    add("  LSOA name and `Location` = `No Location`; they come last in each month's file.")
    add("- **Outside rows**: %d rows are crimes Demoshire Police recorded outside its"
        % st["outside"])
    add("  area: points 5-40 km beyond the county boundary with LSOA codes")
    add("  E01909001-E01909%03d of fictional neighbouring zones (not in `zones.geojson`)."
        % st["n_out_zones"])
    add("")
    add("### Local extract")
    add("")
    add("`incident_ref,offence_code,offence_description,occurred_date,occurred_time,easting,northing,beat,occurred_from,occurred_to`")
    add("")
    add("- One row per police.uk row (%d), sorted by date and time; refs `YY/NNNNN`." % st["rows"])
    add("- `offence_code`: Home Office codes from `data/categories.csv`, consistent")
    add("  with the police.uk type (Burglary -> 28E/28F/30C/30D, Vehicle crime ->")
    add("  45/48/126/37.2, ...); ASB incidents are `ASB-PERSONAL`, `ASB-NUISANCE`,")
    add("  `ASB-ENVIRONMENTAL`.")
    add("- `occurred_date` `DD/MM/YYYY`, `occurred_time` `HH:MM` (24 h). A night out")
    add("  that runs past midnight carries the next day's date (Saturday 02:00 is")
    add("  on Saturday). About 1.5% of property crimes have the unknown-time value")
    add("  `00:00`.")
    add("- `easting`/`northing`: BNG metres, integers, the **true** (unsnapped)")
    add("  locations; %d rows have both empty (a subset of the no-location rows)." % st["no_coords"])
    add("  Outside rows have their real coordinates outside the county.")
    add("- `beat`: board prefix + MSOA-like number (`CAS04`); empty for outside rows.")
    add("- `occurred_from`/`occurred_to` (\"committed from\" / \"committed to\"):")
    add("  `YYYY-MM-DD HH:MM` (24 h), the window the offence happened in, which")
    add("  holds the true `occurred_date`/`occurred_time` (from <= occurred <= to).")
    add("  Crimes seen as they happen (violence, ASB, shoplifting, public order,")
    add("  drugs, robbery and the like) have an exact time (from = to), ~10% of")
    add("  them a 10-60 minute window instead. Crimes found later have windows,")
    add("  rounded outwards to five minutes:")
    add("  - burglary: mostly overnight (from 17:00-23:30 the evening before to")
    add("    06:30-09:00; businesses from closing, 17:00-20:00, and at weekends")
    add("    from Saturday afternoon to Monday morning), else a working day")
    add("    (07:30-09:00 to 16:30-18:30) or an evening out (2-6 h); a few exact")
    add("    (disturbed: a quarter of the attempts); %d%% while the occupants were"
        % round(100 * BURGLARY_AWAY))
    add("    away for 2-9 days. %d of the %d burglary windows run past midnight."
        % (st["win_burglary_night"], st["win_burglary"]))
    add("  - vehicle crime: overnight (parked 16:30-22:30, found 06:30-08:30), a")
    add("    working day, or 1-4 h (most of the car-park spree).")
    add("  - criminal damage, other theft, bicycle theft: exact (a quarter to two")
    add("    fifths of them; most arson and making off without payment) or 1-12 h.")
    add("  - the property crimes with the unknown time `00:00`: the whole day,")
    add("    `00:00` to `23:59`.")
    add("")
    add("  Deliberate data-entry errors, about %.0f%% and %.1f%% of the windows:"
        % (100 * WINDOW_EMPTY_END, 100 * WINDOW_REVERSED))
    add("  %d rows have `occurred_to` empty and %d have it before `occurred_from`"
        % (st["win_empty_end"], st["win_reversed"]))
    add("  (the end's time typed on the start's date, or a day early); their")
    add("  `occurred_from` still precedes the true time.")
    add("")
    add("## Counts")
    add("")
    add("| what | count |")
    add("| --- | ---: |")
    add("| police.uk rows (= extract rows) | %d |" % st["rows"])
    add("| rows per month | %d-%d |" % (st["month_min"], st["month_max"]))
    add("| ASB rows (no Crime ID, no outcome) | %d |" % st["asb_rows"])
    add("| crime rows | %d |" % st["crime_rows"])
    add("| no-location rows | %d |" % st["no_location"])
    add("| outside-county rows | %d |" % st["outside"])
    add("| extract rows without easting/northing | %d |" % st["no_coords"])
    add("| rows with a quoted Location | %d |" % st["comma_rows"])
    add("| extract rows with an exact time (occurred_from = occurred_to) | %d |" % st["win_exact"])
    add("| extract rows with a window (occurred_from < occurred_to) | %d |" % st["win_windowed"])
    add("| ... of which 1 hour or less | %d |" % st["win_upto_1h"])
    add("| ... of which a whole day (unknown time, 00:00-23:59) | %d |" % st["win_unknown_time"])
    add("| ... of which 2 days or longer | %d |" % st["win_multiday"])
    add("| ... of which a week or longer | %d |" % st["win_week"])
    add("| extract rows with occurred_to empty | %d |" % st["win_empty_end"])
    add("| extract rows with occurred_to before occurred_from | %d |" % st["win_reversed"])
    add("")
    add("| crime type | rows | share |")
    add("| --- | ---: | ---: |")
    for t, n in st["by_type"]:
        add("| %s | %d | %.1f%% |" % (t, n, pct(n)))
    add("")
    add("## Deliberate features")
    add("")
    add("Hot spots (besides each town centre, which has shoplifting, ASB and")
    add("violence; centre = the cluster's centre in BNG):")
    add("")
    add("| hot spot | centre E, N | zone containing the centre | rows generated |")
    add("| --- | --- | --- | ---: |")
    for label, (x, y), code, name, n in st["hotspots"]:
        add("| %s | %d, %d | %s (%s) | %d |" % (label, x, y, code, name, n))
    add("")
    add("- The Castleton night-time economy cluster (%d rows) is %d%% violence and"
        % (st["nte_rows"], round(100 * st["nte_share_viol"])))
    add("  mostly ASB and public order otherwise; %d%% of it happens on nights out"
        % round(100 * st["nte_share_night"]))
    add("  (mostly Friday and Saturday, 21:00-03:00).")
    add("- Estates: burglary, vehicle crime and criminal damage. Burglary peaks in")
    add("  the evening (business burglary overnight), shoplifting in shop hours.")
    add("- Seasonality: ASB peaks in summer (%d ASB rows in the two Julys against %d"
        % (st["asb_july"], st["asb_jan"]))
    add("  in the two Januaries); bicycle theft also peaks in summer, burglary in winter.")
    add("- Trends, 2023 -> 2024 (police.uk rows by the board of their LSOA):")
    add("")
    add("| where | type | 2023 | 2024 | change | built-in factor |")
    add("| --- | --- | ---: | ---: | ---: | ---: |")
    for where, ctype, a, b, f in st["trends"]:
        add("| %s | %s | %d | %d | %+.0f%% | x%.2f |" % (where, ctype, a, b, 100.0 * (b - a) / a, f))
    add("")
    add("  All other boards and types are flat apart from Poisson noise.")
    add("- A short spree: vehicle crime at a Dunmere car park, April-June 2024 only.")
    add("")
    (OUT_DIR / "README.md").write_text("\n".join(lines))


def print_summary(st, ogr):
    print("Demoshire demo data written to %s" % OUT_DIR.relative_to(REPO_ROOT))
    print("  zones %d (population %d-%d, mean %.0f, total %d), boards %d, villages %d"
          % (st["n_zones"], st["pop_min"], st["pop_max"], st["pop_mean"], st["pop_total"],
             len(st["boards"]), st["n_villages"]))
    for bid, name, nz, pop in st["boards"]:
        print("    %s %-22s zones %3d population %6d" % (bid, name, nz, pop))
    for code, name, inner in st["holes"]:
        print("  zone %s (%s) has a hole holding zone %s" % (code, name, inner))
    print("  map points %d in county (%d in use), %d fictional outside zones"
          % (st["n_snaps"], st["distinct_points"], st["n_out_zones"]))
    print("  police.uk rows %d (%d-%d per month): ASB %d, crimes %d" %
          (st["rows"], st["month_min"], st["month_max"], st["asb_rows"], st["crime_rows"]))
    print("    no-location rows %d, outside-county rows %d, quoted Location rows %d"
          % (st["no_location"], st["outside"], st["comma_rows"]))
    for t, n in st["by_type"]:
        print("    %-30s %5d  %4.1f%%" % (t, n, 100.0 * n / st["rows"]))
    print("  extract rows %d, without easting/northing %d" % (st["rows"], st["no_coords"]))
    print("    occurred_from/to: exact %d, window %d (<= 1 h %d, whole day %d, >= 2 days %d,"
          " >= 7 days %d), empty end %d, reversed %d; burglary windows past midnight %d of %d"
          % (st["win_exact"], st["win_windowed"], st["win_upto_1h"], st["win_unknown_time"],
             st["win_multiday"], st["win_week"], st["win_empty_end"], st["win_reversed"],
             st["win_burglary_night"], st["win_burglary"]))
    for where, ctype, a, b, f in st["trends"]:
        print("  trend %s %s: 2023 %d -> 2024 %d (%+.0f%%, built in x%.2f)"
              % (where, ctype, a, b, 100.0 * (b - a) / a, f))
    print("  ASB July %d vs January %d (both years)" % (st["asb_july"], st["asb_jan"]))
    for label, (x, y), code, name, n in st["hotspots"]:
        print("  hot spot %-52s %d,%d %s %d rows" % (label, x, y, code, n))
    print("  round trip: %d police.uk points back in their zones (max shift %.3f m)"
          % (st["checked_points"], st["round_trip_max_shift"]))
    if ogr is None:
        print("  GDAL SQLite/SpatiaLite not available: polygon validity not checked")
    else:
        print("  GDAL: invalid zones %d, invalid boards %d; zone area sum %.0f m2 ="
              " union %.0f m2 = board area sum %.0f m2"
              % (ogr["invalid_zones"], ogr["invalid_boards"], ogr["zone_area_sum"],
                 ogr["zone_union_area"], ogr["board_area_sum"]))
    total = 0
    for path, size in st["sizes"]:
        total += size
    print("  %d files, %.2f MB (plus README.md)" % (len(st["sizes"]), total / 1e6))


if __name__ == "__main__":
    main()
