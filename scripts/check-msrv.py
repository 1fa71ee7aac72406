#!/usr/bin/env python3
"""Check the workspace's declared MSRV (`rust-version`) against the
dependency graph: no dependency may ask for a newer Rust than we claim.

Only one Rust toolchain can be installed where tiergate's CI runs, so the
MSRV cannot be checked by building with an older compiler. What can be
checked is checked: this script (every locked dependency's own
`rust-version`) and clippy's `incompatible_msrv` lint, on by default, which
flags standard-library items newer than `rust-version` in our own code.
Exit 0 when consistent, 1 with the offending packages otherwise.
"""
import json
import subprocess
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))[:2]


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
        ).stdout
    )
    members = set(metadata["workspace_members"])
    ours = {
        p["rust_version"]
        for p in metadata["packages"]
        if p["id"] in members
    }
    if len(ours) != 1 or None in ours:
        print(f"check-msrv: workspace members disagree on rust-version: {sorted(map(str, ours))}")
        return 1
    msrv = ours.pop()
    too_new = [
        (p["name"], p["version"], p["rust_version"])
        for p in metadata["packages"]
        if p["id"] not in members
        and p.get("rust_version")
        and version(p["rust_version"]) > version(msrv)
    ]
    if too_new:
        for name, ver, rust in too_new:
            print(f"check-msrv: {name} {ver} needs Rust {rust}, above the declared MSRV {msrv}")
        print("check-msrv: raise rust-version in Cargo.toml (and say why there), or hold the dependency back")
        return 1
    highest = max(
        (version(p["rust_version"]) for p in metadata["packages"]
         if p["id"] not in members and p.get("rust_version")),
        default=(0, 0),
    )
    print(f"check-msrv: MSRV {msrv}; highest dependency rust-version {highest[0]}.{highest[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
