#!/usr/bin/env python3
"""Trains the zstd dictionary the audit trail packs its stored events against
(data/trail/events-<N>.zstd-dict; src/services/trail/stored_event.h): LZ4 matches against its
content, and zstd reads the rows packed with it before LZ4.

Input: orgtwin SQLite databases whose trail_events hold a variety of calls. The committed
dictionary 1 was trained on the databases of ten e2e suites (iam_entities, sts,
organizations_core, enforcement, iam_policies, handshakes, sns, eventbridge, root_console, boto3)
and of one scripts/bench_iam_orgs.sh run (its CreateRole, AssumeRole, GetRole, ListRoles,
CreateAccount and Organizations reads), copied before their servers' data folders were removed.

At most 300 stored records per event name are sampled (seeded), so a benchmark's hundred
thousand CreateRole events do not crowd out the rest; `zstd --train` (Debian's zstd package)
then builds a 16 KiB dictionary. A dictionary, once committed, never changes: rows name the
dictionary they were packed with, so a new one gets the next number and a new prefix.

Usage: tools/train_trail_dictionary.py OUT.zstd-dict DB...
"""
import collections
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

PER_EVENT_NAME = 300
DICTIONARY_BYTES = 16384


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.splitlines()[-1])
    out, databases = sys.argv[1], sys.argv[2:]
    by_name = collections.defaultdict(list)
    for database in databases:
        connection = sqlite3.connect(database)
        # Plain records only: packed rows start with "l<N>:" (LZ4) or "z<N>:" (zstd, before).
        for name, record in connection.execute(
                "SELECT event_name, record FROM trail_events WHERE record LIKE '{%'"):
            by_name[name].append(record)
    random.seed(7)
    samples = []
    for name in sorted(by_name):
        records = by_name[name]
        random.shuffle(records)
        samples.extend(records[:PER_EVENT_NAME])
    with tempfile.TemporaryDirectory() as folder:
        for i, record in enumerate(samples):
            with open(os.path.join(folder, "%06d" % i), "w") as f:
                f.write(record)
        subprocess.run(["zstd", "--train", "-q", "-r", folder, "-o", out,
                        "--maxdict=%d" % DICTIONARY_BYTES], check=True)
    print("%s: %d records of %d event names" % (out, len(samples), len(by_name)))


if __name__ == "__main__":
    main()
