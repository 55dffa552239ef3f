"""Runs the hotspot binary for an algorithm: progress, messages, cancel.

No QGIS import here, so that the logic can be tested with any object that
has the QgsProcessingFeedback methods used below (setProgress,
setProgressText, pushInfo, pushWarning, reportError, isCanceled).

The progress contract (`hotspot ... --progress json`): one JSON object a
line on stderr, {"stage": "density", "done": 3, "total": 9,
"elapsed": 1.234, "percent": 41.5}, percent being the whole run's progress
(0-100, never falling).  Every other stderr line is text:
"hotspot: warning: ...", "hotspot: error: ...", "hotspot: note: ...",
possibly followed by indented continuation lines.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import threading

PREFIXES = (("hotspot: error: ", "error"), ("hotspot: warning: ", "warning"),
            ("hotspot: note: ", "note"))


class HotspotError(Exception):
    """The binary could not be found or run, failed, or was cancelled."""


def find_binary(setting=None):
    """The hotspot executable: $HOTSPOT_BIN, else the provider's setting,
    else `hotspot` on the PATH.  Raises HotspotError naming what was tried."""
    given = os.environ.get("HOTSPOT_BIN") or (setting or "").strip() or "hotspot"
    path = given if os.sep in given else shutil.which(given)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise HotspotError(
            "the hotspot program was not found ('%s'): install Hotspot, or set "
            "its path in Settings > Options > Processing > Providers > Hotspot"
            % given)
    return os.path.abspath(path)


_help_cache = {}


def help_text(binary, command):
    """`hotspot COMMAND --help`, cached per binary file and modification."""
    st = os.stat(binary)
    key = (binary, st.st_mtime_ns, st.st_size, command)
    if key not in _help_cache:
        try:
            p = subprocess.run([binary, command, "--help"], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=30, check=False)
            _help_cache[key] = p.stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError) as e:
            raise HotspotError("cannot run '%s %s --help': %s" % (binary, command, e))
    return _help_cache[key]


def supports_progress(binary, command):
    """Whether this build has `--progress json` (older ones do not: they run
    the same, with no progress shown)."""
    return "--progress" in help_text(binary, command)


class _Messages:
    """Turns stderr lines into feedback calls; keeps the error lines."""

    def __init__(self, feedback):
        self.fb = feedback
        self.errors = []
        self.kind = "note"
        self.stage = None
        self.percent = 0.0
        self.other = []  # text lines without a prefix (last few kept)

    def progress(self, obj):
        pct = obj.get("percent")
        if isinstance(pct, (int, float)):
            # monotonic by contract; clamp so a stray value never jumps back
            pct = min(100.0, max(self.percent, float(pct)))
            self.percent = pct
            self.fb.setProgress(pct)
        stage = obj.get("stage")
        if isinstance(stage, str) and stage != self.stage:
            # only on a change: the dialog logs every progress text
            self.stage = stage
            self.fb.setProgressText(stage)

    def line(self, text):
        text = text.rstrip("\r\n")
        if not text.strip():
            return
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                self.progress(obj)
                return
        for prefix, kind in PREFIXES:
            if text.startswith(prefix):
                self.kind = kind
                self.emit(kind, text[len(prefix):])
                return
        if text[:1].isspace():  # a continuation of the message before
            self.emit(self.kind, text.strip())
        else:
            self.kind = "note"
            self.other = (self.other + [text])[-20:]
            self.fb.pushInfo(text)

    def emit(self, kind, msg):
        if kind == "error":
            self.errors.append(msg)
            self.fb.reportError("hotspot: error: " + msg, False)
        elif kind == "warning":
            self.fb.pushWarning("hotspot: warning: " + msg)
        else:
            self.fb.pushInfo("hotspot: note: " + msg)


def _reader(stream, name, q):
    for raw in iter(stream.readline, b""):
        q.put((name, raw.decode("utf-8", "replace")))
    q.put((name, None))


def remove_leftovers(output, pid):
    """Removes the temporary files a stopped run (process `pid`) left beside
    `output`: hotspot writes ".NAME.tmp-PID.gpkg" (and SQLite side files,
    GDAL's "...tmp_rtree_*.db"), "NAME.tmp-PID.tif" and "NAME.tmp-PID" (the
    project) and renames them only on success.  Matched by the exact pid, so
    another run's files are never touched."""
    folder = os.path.dirname(os.path.abspath(output)) or "."
    base = os.path.basename(output)
    stem = base[:-5] if base.lower().endswith(".gpkg") else base
    mark = ".tmp-%d" % pid
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for nm in names:
        if mark not in nm:
            continue
        if nm.startswith("." + base) or nm.startswith(base) or nm.startswith(stem + ".qgz"):
            try:
                os.remove(os.path.join(folder, nm))
                removed.append(nm)
            except OSError:
                pass
    return removed


def pdf_leftovers(folder):
    """The report's temporary PDFs in folder (".NAME.pdf.tmp-XXXXXX")."""
    try:
        return {nm for nm in os.listdir(folder)
                if nm.startswith(".") and ".pdf.tmp-" in nm}
    except OSError:
        return set()


def run(argv, feedback, on_cancel=None, poll=0.1, grace=5.0):
    """Runs argv (the binary first), passing progress and messages to
    feedback, stopping it (SIGTERM, then SIGKILL after `grace` seconds) when
    feedback.isCanceled(); then on_cancel(pid) removes what it left.
    Returns the standard output.  Raises HotspotError when it fails or is
    cancelled; the message holds hotspot's own error lines."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as e:
        raise HotspotError("cannot start %s: %s" % (argv[0], e))
    q = queue.Queue()
    readers = [threading.Thread(target=_reader, args=(proc.stdout, "out", q), daemon=True),
               threading.Thread(target=_reader, args=(proc.stderr, "err", q), daemon=True)]
    for t in readers:
        t.start()
    msgs = _Messages(feedback)
    out = []
    open_streams = 2
    cancelled = False
    while open_streams:
        if not cancelled and feedback.isCanceled():
            cancelled = True
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
        try:
            name, text = q.get(timeout=poll)
        except queue.Empty:
            continue
        if text is None:
            open_streams -= 1
        elif name == "out":
            out.append(text)
            if text.strip():
                feedback.pushInfo(text.rstrip("\r\n"))
        elif not cancelled:
            msgs.line(text)
    rc = proc.wait()
    for t in readers:
        t.join()
    proc.stdout.close()
    proc.stderr.close()
    if cancelled:
        if on_cancel:
            on_cancel(proc.pid)
        raise HotspotError("cancelled: hotspot was stopped and wrote nothing "
                           "(an earlier output of the same name is as it was)")
    if rc != 0:
        why = "; ".join(msgs.errors) or "; ".join(msgs.other[-3:]) or (
            "killed by signal %d" % -rc if rc < 0 else "no message")
        raise HotspotError("hotspot failed (exit status %d): %s" % (rc, why))
    return "".join(out)
