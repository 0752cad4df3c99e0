#!/usr/bin/env python3
"""tools/bench hosts-control: how long a command takes to reach every host's kernel.

  programmed.py ETCD_URL HOSTS -- COMMAND...

Runs COMMAND, reads the store's commit revision once it exits (the commit key's mod_revision,
under /xpeer/v1/), then polls the hosts' keys through etcd's JSON gateway until every host in
HOSTS (comma-separated) that the commit concerned (it wrote the host's slice key, or every
host's) reports that
revision or a newer one programmed. Prints one JSON line: {"command_ms", "programmed_ms" (from
the command's start), "revision", "concerned" (hosts), "stdout"}; programmed_ms is null if a
host had not programmed it within 30 s.
"""
import base64
import json
import subprocess
import sys
import time
import urllib.request

PREFIX = "/xpeer/v1/"


def b64(s):
    return base64.b64encode(s.encode()).decode()


def prefix_end(s):
    return s[:-1] + chr(ord(s[-1]) + 1)


def rng(url, key, end=None, **options):
    body = {"key": b64(key), **options}
    if end:
        body["range_end"] = b64(end)
    req = urllib.request.Request(url + "/v3/kv/range", json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r).get("kvs", [])


def main():
    url, hosts = sys.argv[1], sys.argv[2].split(",")
    command = sys.argv[sys.argv.index("--") + 1:]
    start = time.monotonic()
    out = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    command_ms = (time.monotonic() - start) * 1000
    commit = rng(url, PREFIX + "commit")
    revision = int(commit[0]["mod_revision"]) if commit else 0
    # The hosts the commit concerned: it wrote their slice keys (read as it left them).
    sliced = set()
    for kv in rng(url, PREFIX + "hosts/", prefix_end(PREFIX + "hosts/"), keys_only=True, revision=str(revision),
                  min_mod_revision=str(revision)):
        host, _, what = base64.b64decode(kv["key"]).decode()[len(PREFIX + "hosts/"):].rpartition("/")
        if what == "slice" and int(kv["mod_revision"]) == revision:
            sliced.add(host)
    every = rng(url, PREFIX + "slices-all", keys_only=True, revision=str(revision))
    if every and int(every[0]["mod_revision"]) == revision:  # a commit that concerns every host
        sliced = set(hosts)
    concerned = sorted(h for h in hosts if h in sliced)
    programmed_ms = None
    while time.monotonic() - start < 30:
        seen = {}
        for kv in rng(url, PREFIX + "hosts/", prefix_end(PREFIX + "hosts/")):
            host, _, what = base64.b64decode(kv["key"]).decode()[len(PREFIX + "hosts/"):].rpartition("/")
            if what == "programmed":
                seen[host] = json.loads(base64.b64decode(kv["value"]))["revision"]
        if all(seen.get(h, 0) >= revision for h in concerned):
            programmed_ms = (time.monotonic() - start) * 1000
            break
        time.sleep(0.001)
    print(json.dumps({"command_ms": round(command_ms, 2), "programmed_ms": programmed_ms and round(programmed_ms, 2),
                      "revision": revision, "concerned": concerned, "returncode": out.returncode, "stdout": out.stdout.strip()}))


if __name__ == "__main__":
    main()
