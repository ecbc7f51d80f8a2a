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
  data/policy/operations.json         the gateway's operation table (src/gateway/operation_table.h):
                                       {"services": {prefix: {"resource_types": {name: {arn,
                                       condition_keys}}, "actions": {Action: {access_level,
                                       resources: [{type, required, condition_keys?}],
                                       condition_keys}}}}} for the prefixes orgtwin serves
                                       (models/) and the ones it serves next (NEXT_PREFIXES)
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


# Services whose models are not committed yet but whose handlers come next; their operations are
# in the table already so that registering a handler needs no new data.
NEXT_PREFIXES = ["cloudtrail", "events", "sns", "billing", "invoicing", "ce", "payments"]


def served_prefixes(models_dir):
    """The IAM action prefix of every committed model: its signingName, else its endpointPrefix
    (the same rule as the gateway's ActionPrefix, which reads model::ServiceModel::signing_name)."""
    prefixes = set()
    for service in sorted(os.listdir(models_dir)):
        service_dir = os.path.join(models_dir, service)
        if not os.path.isdir(service_dir):
            continue
        for version in sorted(os.listdir(service_dir)):
            path = os.path.join(service_dir, version, "service-2.json")
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8") as f:
                meta = json.load(f)["metadata"]
            prefixes.add(meta.get("signingName") or meta["endpointPrefix"])
    return prefixes


def operation_table(actions_dir, prefixes):
    """Per prefix: the resource types (ARN template, condition keys) and, per action, its access
    level, resource types (required or not) and condition keys, as the catalog states them."""
    services = {}
    for prefix in sorted(prefixes):
        path = os.path.join(actions_dir, "services", prefix + ".json")
        if not os.path.exists(path):
            print(f"note: {prefix} is not in the action catalog", file=sys.stderr)
            continue
        with open(path, encoding="utf-8") as f:
            svc = json.load(f)
        resource_types = {name: {"arn": rt["arn"], "condition_keys": rt.get("condition_keys", [])}
                          for name, rt in sorted(svc["resource_types"].items())}
        actions = {}
        for name, a in sorted(svc["actions"].items()):
            resources = []
            for r in a["resource_types"]:
                entry = {"type": r["name"], "required": bool(r["required"])}
                if r.get("condition_keys"):
                    entry["condition_keys"] = r["condition_keys"]
                resources.append(entry)
            actions[name] = {"access_level": a["access_level"], "resources": resources,
                             "condition_keys": a.get("condition_keys", [])}
        services[prefix] = {"resource_types": resource_types, "actions": actions}
    return services


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join(repo, "data", "policy"))
    ap.add_argument("--models", default=os.path.join(repo, "models"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    actions_dir = os.path.join(args.src, "iam-actions")
    with open(os.path.join(actions_dir, "actions-index.json"), encoding="utf-8") as f:
        actions = json.load(f)
    with open(os.path.join(actions_dir, "global-condition-keys.json"), encoding="utf-8") as f:
        global_keys = json.load(f)
    dump({"actions": actions, "global_condition_keys": global_keys},
         os.path.join(args.out, "iam-actions.json"))

    prefixes = served_prefixes(args.models) | set(NEXT_PREFIXES)
    table = operation_table(actions_dir, prefixes)
    dump({"services": table}, os.path.join(args.out, "operations.json"))

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
          f"{len(policies)} managed policies, {len(orgs)} organizations policies; operation "
          f"table: {len(table)} prefixes, {sum(len(s['actions']) for s in table.values())} "
          f"actions", file=sys.stderr)


if __name__ == "__main__":
    main()
