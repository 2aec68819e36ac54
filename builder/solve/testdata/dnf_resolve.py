#!/usr/bin/python3
"""Resolve `dnf install SPEC` requests through dnf's Python API.

TestRandomAgainstDNF runs this instead of one `dnf --assumeno install`
per request: each repository is loaded once, and every request of it is
solved by the code path of `dnf install` (Base.install of the spec with
the configuration's strict, then Base.resolve, which runs hawkey's goal
with best, install_weak_deps and the protected packages from dnf.conf),
with the goal reset between requests. The configuration is read the way
the CLI reads it (/etc/dnf/dnf.conf, then the options below, which are
what the test's command line would say): an empty installroot, the
repository from a path, no other repositories, no gpg check.

stdin: {"root": DIR, "cache": DIR, "repos": [{"dir": DIR, "requests":
[{"spec": "a", "weak": true}, ...]}, ...]}
stdout: one JSON list per repository, one entry per request:
{"install": [NEVRA, ...]} or {"error": "..."}.
"""
import json
import os
import sys

import dnf
import dnf.exceptions


def load(root, cache, repodir):
    base = dnf.Base()
    conf = base.conf
    conf.installroot = root
    conf.read(priority=dnf.conf.PRIO_MAINCONFIG)
    conf.reposdir = ["/dev/null"]
    conf.cachedir = cache
    # The CLI's prepend_installroot, which fails outside the CLI.
    conf.logdir = os.path.join(root, "var/log")
    conf.persistdir = os.path.join(root, "var/lib/dnf")
    for d in (conf.logdir, conf.persistdir, cache):
        os.makedirs(d, exist_ok=True)
    conf.releasever = "3"
    conf.gpgcheck = False
    conf.substitutions["arch"] = "x86_64"
    base.repos.add_new_repo("r", conf, baseurl=["file://" + repodir])
    base.fill_sack(load_system_repo=True)
    return base


def solve(base, spec, weak):
    base.reset(goal=True)
    base.conf.install_weak_deps = weak
    try:
        base.install(spec, strict=base.conf.strict)
        base.resolve()
    except dnf.exceptions.Error as e:
        return {"error": str(e) or type(e).__name__}
    return {"install": sorted(str(p) for p in base.transaction.install_set)}


def main():
    job = json.load(sys.stdin)
    os.makedirs(job["root"], exist_ok=True)
    for n, r in enumerate(job["repos"]):
        cache = os.path.join(job["cache"], str(n))
        base = load(job["root"], cache, r["dir"])
        out = [solve(base, q["spec"], q["weak"]) for q in r["requests"]]
        base.close()
        print(json.dumps(out), flush=True)


main()
