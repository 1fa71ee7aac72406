#!/usr/bin/env python3
"""Generate a deterministic benchmark repository for tiergate (issue 6).

    bench/gen-repo.py DIR [--commits N] [--seed S] [--policy FILE] [--corpus FILE]
                          [--tags N] [--pull-refs N] [--no-repack]

Builds, with `git fast-import`, a bare repository in DIR (which must not
exist or be empty) of N commits (default 100,000):

- a QEMU-like tree of ~8,000 files in ~800 directories whose top-level
  names match the example policy (crypto/, hw/virtio/, hw/net/, migration/,
  accel/, target/, hw/, block/, docs/, tests/, scripts/, util/, include/
  ...), with some `*.S`, `*.rst`, `meson.build` and `trace-events`;
- policy.yaml (a copy of the project's example policy) at the root in the
  first commit;
- realistic change sizes: most commits touch 1-5 files, close to their
  previous change; ~1% touch tens; ~0.3% touch hundreds (tree-wide
  cleanups); a few add or delete files;
- ~10% merge commits (topic branches merged into master);
- messages sampled from the buildroot corpus (NUL-separated, gzip);
  without it, synthetic messages (the reason is printed);
- ~2% of commits declare AI use (`AI-Assisted-by: claude:claude-sonnet-4`
  in the trailer block), ~0.5% carry `Co-authored-by: Claude
  <noreply@anthropic.com>`;
- refs shaped like a forge's (issue 12): `--tags N` tags on older master
  commits (two in three annotated, the rest lightweight, named like
  releases), and `--pull-refs N` refs under refs/pull/ as GitHub leaves
  them: `refs/pull/K/head` at the tip of a topic branch (a side-branch
  commit that is also in master's history, merged), and for every fourth
  pull request also `refs/pull/K/merge` (here: the merge commit on master);
- packed as `git gc` and forges leave a repository: `git repack -ad`,
  `git commit-graph write --reachable`, `git pack-refs --all` (unless
  `--no-repack`: then fast-import's pack as written, loose-free refs only
  for what fast-import wrote).

The same arguments give the same commit ids. Blob contents are tiny and
drawn from a small pool: only trees and commits are realistic, which is
what history walking and tree diffing read. Python 3.11 standard library.
"""

import argparse
import gzip
import os
import random
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_POLICY = os.path.join(ROOT, "policy.yaml")
DEFAULT_CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "buildroot-messages.nul.gz")

AI_TRAILER = b"AI-Assisted-by: claude:claude-sonnet-4"
AI_COAUTHOR = b"Co-authored-by: Claude <noreply@anthropic.com>"

# Top-level areas: (path, weight of directories below it, weight of changes).
# Mirrors QEMU's layout loosely; the names match the example policy's tiers.
AREAS = [
    ("crypto", 6, 2), ("authz", 2, 0.5), ("hw/virtio", 12, 4), ("hw/net", 14, 3),
    ("hw/usb", 8, 1.5), ("migration", 8, 3), ("block", 16, 5), ("nbd", 3, 1),
    ("ui", 10, 2), ("accel", 14, 3), ("target", 120, 14), ("tcg", 20, 3),
    ("hw", 160, 12), ("linux-user", 40, 3), ("system", 6, 2), ("include", 80, 6),
    ("util", 10, 3), ("qapi", 4, 2), ("qom", 2, 1), ("docs", 60, 6),
    ("tests", 120, 9), ("scripts", 30, 3), ("net", 8, 2), ("audio", 8, 1),
    ("chardev", 4, 1), ("io", 4, 1), ("monitor", 4, 1), ("contrib", 16, 1),
    ("subprojects", 10, 0.5), ("pc-bios", 12, 0.5), ("disas", 4, 0.5),
    ("fpu", 2, 0.5), ("gdbstub", 2, 0.5), ("semihosting", 2, 0.3),
    ("stubs", 2, 0.5), ("trace", 2, 0.3), ("replay", 2, 0.3), ("backends", 4, 0.5),
]
ARCHES = ["arm", "aarch64", "i386", "x86_64", "riscv", "ppc", "s390x", "mips", "sparc",
          "m68k", "loongarch", "hppa", "alpha", "sh4", "xtensa", "tricore", "avr", "rx",
          "microblaze", "openrisc"]
WORDS = ["core", "dev", "bus", "pci", "irq", "dma", "cpu", "mmu", "timer", "helper",
         "translate", "gdb", "kvm", "tcg", "vhost", "ring", "queue", "net", "blk", "scsi",
         "char", "serial", "display", "audio", "input", "intc", "misc", "ssi", "i2c",
         "sd", "nvme", "ide", "acpi", "smbios", "fw", "boot", "loader", "trace", "qmp",
         "monitor", "qdev", "qom", "visitor", "json", "stream", "snapshot", "ram",
         "page", "cache", "crypt", "cipher", "hash", "tls", "sock", "chan", "coroutine"]


def build_tree(rng, target_files, target_dirs):
    """Return the list of file paths of the initial tree."""
    total_w = sum(w for _, w, _ in AREAS)
    dirs = []
    for area, w, _ in AREAS:
        n = max(1, round(target_dirs * w / total_w))
        area_dirs = [area]
        while len(area_dirs) < n:
            parent = rng.choice(area_dirs)
            if parent.count("/") >= 4:
                continue
            if area in ("target", "tcg", "linux-user", "tests/tcg") and parent == area:
                name = rng.choice(ARCHES)
            else:
                name = rng.choice(WORDS) + ("" if rng.random() < 0.6 else str(rng.randrange(10)))
            d = parent + "/" + name
            if d not in area_dirs:
                area_dirs.append(d)
        dirs.extend(area_dirs)
    dirs = sorted(set(dirs))
    files = set()
    per_dir = target_files / len(dirs)
    for d in dirs:
        n = max(1, int(rng.expovariate(1 / per_dir)) + 1)
        top = d.split("/")[0]
        for _ in range(n):
            r = rng.random()
            if top == "docs":
                name = rng.choice(WORDS) + ("-" + rng.choice(WORDS) if r < 0.5 else "") + ".rst"
            elif r < 0.03:
                name = "meson.build"
            elif r < 0.05:
                name = "trace-events"
            elif r < 0.07:
                name = rng.choice(WORDS) + ".S"
            elif r < 0.12 and top in ("scripts", "tests"):
                name = rng.choice(WORDS) + "-" + rng.choice(WORDS) + ".py"
            elif r < 0.35:
                name = rng.choice(WORDS) + ("-" + rng.choice(WORDS) if r < 0.25 else "") + ".h"
            else:
                name = rng.choice(WORDS) + ("-" + rng.choice(WORDS) if r < 0.7 else "") + ".c"
            files.add(d + "/" + name)
    for name in ["MAINTAINERS", "Makefile", "configure", "meson.build", "meson_options.txt",
                 "README.rst", "VERSION", "COPYING", "Kconfig", ".gitignore", ".mailmap"]:
        files.add(name)
    return sorted(files)


def load_messages(path):
    if not path:
        return None, "no corpus given"
    if not os.path.exists(path):
        return None, f"{path} is absent"
    with gzip.open(path, "rb") as f:
        data = f.read()
    msgs = [m.strip(b"\n") + b"\n" for m in data.split(b"\0") if m.strip()]
    return msgs, None


def synthetic_message(rng, n):
    return (f"{rng.choice(WORDS)}: {rng.choice(WORDS)} fix number {n}\n\n"
            f"Make the {rng.choice(WORDS)} path handle the {rng.choice(WORDS)} case.\n\n"
            f"Signed-off-by: Dev {rng.randrange(200)} <dev{rng.randrange(200)}@example.org>\n").encode()


def is_trailer_line(line):
    colon = line.find(b":")
    if colon <= 0:
        return False
    key = line[:colon]
    return all(c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-" for c in key)


def add_trailer(msg, trailer):
    """Append `trailer` to the message's trailer block (a new block if none)."""
    body = msg.rstrip(b"\n")
    paras = body.split(b"\n\n")
    last = paras[-1].split(b"\n")
    if len(paras) > 1 and last and all(is_trailer_line(l) or l.startswith((b" ", b"\t")) for l in last):
        return body + b"\n" + trailer + b"\n"
    return body + b"\n\n" + trailer + b"\n"


def change_count(rng):
    r = rng.random()
    if r < 0.42:
        return 1
    if r < 0.64:
        return 2
    if r < 0.76:
        return 3
    if r < 0.84:
        return 4
    if r < 0.89:
        return 5
    if r < 0.987:
        return rng.randint(6, 20)
    if r < 0.997:
        return rng.randint(21, 99)
    return rng.randint(100, 600)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--commits", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--files", type=int, default=8000)
    ap.add_argument("--dirs", type=int, default=800)
    ap.add_argument("--policy", default=DEFAULT_POLICY)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--tags", type=int, default=0, help="tags on older master commits")
    ap.add_argument("--pull-refs", type=int, default=0, help="refs under refs/pull/")
    ap.add_argument("--no-repack", action="store_true",
                    help="keep fast-import's pack: no repack, commit-graph or pack-refs")
    args = ap.parse_args()
    if args.commits < 2:
        ap.error("--commits must be at least 2")

    t0 = time.time()
    rng = random.Random(args.seed)
    msgs, why = load_messages(args.corpus)
    if msgs is None:
        print(f"gen-repo: not sampling the corpus ({why}); using synthetic messages", file=sys.stderr)
    files = build_tree(rng, args.files, args.dirs)
    with open(args.policy, "rb") as f:
        policy = f.read()

    os.makedirs(args.dir, exist_ok=True)
    if os.listdir(args.dir):
        sys.exit(f"gen-repo: {args.dir} is not empty")
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "master", args.dir], check=True, env=env)
    fi = subprocess.Popen(["git", "--git-dir", args.dir, "fast-import", "--quiet", "--done"],
                          stdin=subprocess.PIPE, env=env)
    out = fi.stdin
    buf = []

    def emit(b):
        buf.append(b)
        if len(buf) > 4096:
            out.write(b"".join(buf))
            buf.clear()

    # Blob pool: marks 1..POOL; policy.yaml is mark POOL+1.
    POOL = 512
    for i in range(1, POOL + 1):
        data = b"/* content %d */\n" % i
        emit(b"blob\nmark :%d\ndata %d\n%s\n" % (i, len(data), data))
    emit(b"blob\nmark :%d\ndata %d\n%s\n" % (POOL + 1, len(policy), policy))
    next_mark = POOL + 2

    people = [(f"Developer {i}".encode(), f"dev{i}@example.org".encode()) for i in range(300)]
    when = 1_262_304_000  # 2010-01-01
    dirs = sorted({f.rsplit("/", 1)[0] for f in files if "/" in f})
    by_dir = {}
    for f in files:
        by_dir.setdefault(f.rsplit("/", 1)[0] if "/" in f else "", []).append(f)
    area_weights = [w for _, _, w in AREAS]
    area_dirs = [[d for d in dirs if d == a or d.startswith(a + "/")] for a, _, _ in AREAS]
    live = set(files)
    stats = {"commits": 0, "merges": 0, "ai": 0, "coauthor": 0, "changes": 0}
    master_marks = []  # (mark, commit time) of every commit on master's first-parent line
    topics = []  # (topic tip mark, merge mark) of every merged topic

    def pick_paths(n):
        """n paths to change: local (one area, few directories) unless large."""
        if n > 20:
            pool = [p for p in rng.sample(files, min(len(files), n * 2)) if p in live]
            return pool[:n]
        ai = rng.choices(range(len(AREAS)), area_weights)[0]
        cand_dirs = area_dirs[ai] or dirs
        d = rng.choice(cand_dirs)
        out_paths = []
        for _ in range(n):
            if rng.random() < 0.25:
                d = rng.choice(cand_dirs if rng.random() < 0.7 else dirs)
            fl = [p for p in by_dir.get(d, []) if p in live]
            if fl:
                out_paths.append(rng.choice(fl))
        return list(dict.fromkeys(out_paths))

    def message(n):
        m = rng.choice(msgs) if msgs else synthetic_message(rng, n)
        r = rng.random()
        if r < 0.02:
            m = add_trailer(m, AI_TRAILER)
            stats["ai"] += 1
        elif r < 0.025:
            m = add_trailer(m, AI_COAUTHOR)
            stats["coauthor"] += 1
        return m

    def commit(ref, parents, changes, msg):
        nonlocal next_mark, when
        mark = next_mark
        next_mark += 1
        when += rng.randint(60, 4 * 3600)
        name, email = rng.choice(people)
        emit(b"commit %s\nmark :%d\nauthor %s <%s> %d +0000\ncommitter %s <%s> %d +0000\ndata %d\n%s\n"
             % (ref, mark, name, email, when, name, email, when, len(msg), msg))
        if parents:
            emit(b"from :%d\n" % parents[0])
            for p in parents[1:]:
                emit(b"merge :%d\n" % p)
        for path, blob in changes:
            if blob is None:
                emit(b"D %s\n" % path.encode())
            else:
                emit(b"M 100644 :%d %s\n" % (blob, path.encode()))
        emit(b"\n")
        stats["commits"] += 1
        stats["changes"] += len(changes)
        if ref == b"refs/heads/master":
            master_marks.append((mark, when))
        return mark

    def work_changes(n_commit):
        n = change_count(rng)
        changes = [(p, rng.randint(1, POOL)) for p in pick_paths(n)]
        r = rng.random()
        if r < 0.03:  # a new file next to a changed one
            base = changes[0][0] if changes else rng.choice(files)
            d = base.rsplit("/", 1)[0] if "/" in base else "util"
            p = "%s/%s-%d.c" % (d, rng.choice(WORDS), n_commit)
            live.add(p)
            files.append(p)
            by_dir.setdefault(d, []).append(p)
            changes.append((p, rng.randint(1, POOL)))
        elif r < 0.05 and changes and changes[0][0] != "policy.yaml":
            p = changes[0][0]
            live.discard(p)
            changes[0] = (p, None)
        return changes

    # Initial import: the whole tree and policy.yaml.
    init = [(p, rng.randint(1, POOL)) for p in files] + [("policy.yaml", POOL + 1)]
    master = commit(b"refs/heads/master", [], init, b"Initial import\n\nImport the tree as of the fork point.\n")
    n = 1
    topic_no = 0
    while n < args.commits:
        if rng.random() < 0.2 or args.commits - n < 3:
            master = commit(b"refs/heads/master", [master], work_changes(n), message(n))
            n += 1
            continue
        topic_no += 1
        ref = b"refs/heads/topic/%d" % (topic_no % 8)
        length = min(rng.randint(1, 16), args.commits - n - 1)
        tip = master
        merged = {}
        for _ in range(length):
            ch = work_changes(n)
            tip = commit(ref, [tip], ch, message(n))
            merged.update(ch)
            n += 1
        # The merge brings the topic's changes onto master (which may have
        # moved on: other topics are merged between fork and merge below).
        if rng.random() < 0.3 and n < args.commits - 1:
            master = commit(b"refs/heads/master", [master], work_changes(n), message(n))
            n += 1
        msg = b"Merge branch 'topic-%d'\n\n* topic-%d:\n  %s\n" % (topic_no, topic_no, b"various fixes")
        if msgs and rng.random() < 0.5:
            msg = message(n)
        master = commit(b"refs/heads/master", [master, tip], sorted(merged.items()), msg)
        topics.append((tip, master))
        stats["merges"] += 1
        n += 1
    emit(b"reset refs/tags/v1.0\nfrom :%d\n\n" % master)
    # Refs of a forge. Their own random stream, so that the commit ids do
    # not depend on --tags or --pull-refs.
    ref_rng = random.Random(args.seed * 7919 + 12)
    older = master_marks[: max(1, len(master_marks) * 95 // 100)]
    n_tags = min(args.tags, len(older))
    for i in range(n_tags):
        mark, t = older[i * len(older) // n_tags]
        name = b"v%d.%d.%d" % (i // 100, (i // 10) % 10, i % 10)
        if i % 3 != 2:
            msg = b"Release %s\n" % name
            who, email = people[ref_rng.randrange(len(people))]
            emit(b"tag %s\nfrom :%d\ntagger %s <%s> %d +0000\ndata %d\n%s\n"
                 % (name, mark, who, email, t + 60, len(msg), msg))
        else:
            emit(b"reset refs/tags/%s\nfrom :%d\n\n" % (name, mark))
    n_pull = 0
    if args.pull_refs and topics:
        # Pull requests in the order they were merged; when there are more
        # refs than topics, a topic is the head of several pull requests
        # (a forge keeps the refs of closed and re-opened ones).
        pr = 0
        while n_pull < args.pull_refs:
            tip, merge = topics[pr % len(topics)]
            pr += 1
            emit(b"reset refs/pull/%d/head\nfrom :%d\n\n" % (pr, tip))
            n_pull += 1
            if pr % 4 == 0 and n_pull < args.pull_refs:
                emit(b"reset refs/pull/%d/merge\nfrom :%d\n\n" % (pr, merge))
                n_pull += 1
    emit(b"done\n")
    out.write(b"".join(buf))
    out.close()
    if fi.wait() != 0:
        sys.exit("gen-repo: git fast-import failed")
    t1 = time.time()
    if not args.no_repack:
        git = ["git", "--git-dir", args.dir]
        subprocess.run(git + ["repack", "-q", "-a", "-d"], check=True, env=env)
        subprocess.run(git + ["commit-graph", "write", "--reachable"], check=True, env=env)
        subprocess.run(git + ["pack-refs", "--all"], check=True, env=env)
    print(f"gen-repo: {stats['commits']} commits ({stats['merges']} merges, {stats['ai']} declaring AI, "
          f"{stats['coauthor']} with an AI co-author), {len(live)} files in {len(dirs)} directories at the tip, "
          f"{stats['changes']} file changes, {n_tags} tags, {n_pull} refs under refs/pull/, seed {args.seed}, "
          f"{t1 - t0:.1f} s" + ("" if args.no_repack else f" + {time.time() - t1:.1f} s repacking"),
          file=sys.stderr)


if __name__ == "__main__":
    main()
