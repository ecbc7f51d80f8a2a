#!/usr/bin/env python3
"""Imports the IAM action catalog and the AWS managed policies into data/policy/.

Run (any python3 >= 3.8, no third-party modules) from the repo root:
    python3 tools/import_policy_data.py [--src ../shared/data]

Outputs (compact, one JSON per data set, embedded into the binary by src/policy/CMakeLists.txt):
  data/policy/iam-actions.json        {"actions": {prefix: {Action: access_level}},
                                       "global_condition_keys": [...]}  (verbatim content)
  data/policy/managed-policies.json   {"policies": [{name, arn, path, policy_id,
                                       default_version_id, deprecated, is_attachable,
                                       document_source, document}],
                                       "organizations": [{id, name, arn, type, content}]}
Policy documents are copied verbatim (re-serialized without whitespace; the JSON values are
unchanged). Sources are described in data/README.md.
"""
import argparse
import json
import os
import sys


def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, separators=(",", ":"), ensure_ascii=False, sort_keys=False)
        f.write("\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(repo, "data", "policy"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    actions_dir = os.path.join(args.src, "iam-actions")
    with open(os.path.join(actions_dir, "actions-index.json"), encoding="utf-8") as f:
        actions = json.load(f)
    with open(os.path.join(actions_dir, "global-condition-keys.json"), encoding="utf-8") as f:
        global_keys = json.load(f)
    dump({"actions": actions, "global_condition_keys": global_keys},
         os.path.join(args.out, "iam-actions.json"))

    mp_dir = os.path.join(args.src, "aws-managed-policies")
    policies = []
    for name in sorted(os.listdir(os.path.join(mp_dir, "policies"))):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(mp_dir, "policies", name), encoding="utf-8") as f:
            p = json.load(f)
        policies.append({k: p.get(k) for k in (
            "name", "arn", "path", "policy_id", "default_version_id", "deprecated",
            "is_attachable", "document_source", "document")})
    orgs = []
    for name in sorted(os.listdir(os.path.join(mp_dir, "organizations"))):
        with open(os.path.join(mp_dir, "organizations", name), encoding="utf-8") as f:
            p = json.load(f)
        orgs.append({k: p.get(k) for k in ("id", "name", "arn", "type", "description", "content")})
    dump({"policies": policies, "organizations": orgs},
         os.path.join(args.out, "managed-policies.json"))
    n_actions = sum(len(v) for v in actions.values())
    print(f"{len(actions)} prefixes, {n_actions} actions, {len(global_keys)} global keys, "
          f"{len(policies)} managed policies, {len(orgs)} organizations policies", file=sys.stderr)


if __name__ == "__main__":
    main()
