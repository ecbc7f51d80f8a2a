#!/usr/bin/env python3
"""Extracts the AWS API models orgtwin serves from an installed botocore.

For each service it loads botocore's newest service-2.json (and paginators-1.json when present),
drops every `documentation`/`documentationUrl` string (orgtwin needs the shapes, not the prose),
and writes models/<service>/<api-version>/service-2.json plus models/VERSION naming the botocore
release. The binary embeds these files; nothing reads botocore at run time.

Usage: tools/extract_models.py [--out models]   (run with a Python that has botocore)
"""
import argparse
import json
import os
import sys

SERVICES = ["organizations", "iam", "sts", "account", "cloudtrail", "billing", "invoicing", "ce", "events",
            "sns"]
DROP_KEYS = {"documentation", "documentationUrl", "docs"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROP_KEYS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    args = parser.parse_args()
    import botocore
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    versions = {}
    for service in SERVICES:
        api_version = loader.determine_latest_version(service, "service-2")
        out_dir = os.path.join(args.out, service, api_version)
        os.makedirs(out_dir, exist_ok=True)
        for kind in ("service-2", "paginators-1"):
            try:
                data = loader.load_service_model(service, kind, api_version)
            except Exception:  # paginators are optional
                continue
            with open(os.path.join(out_dir, kind + ".json"), "w") as f:
                # Key order is kept: structure members serialize in model order (Query XML, JSON).
                json.dump(strip(data), f, indent=1)
                f.write("\n")
        versions[service] = api_version
    with open(os.path.join(args.out, "VERSION"), "w") as f:
        f.write("botocore %s\n" % botocore.__version__)
        for service, api_version in versions.items():
            f.write("%s %s\n" % (service, api_version))
    print("wrote models for botocore %s: %s" % (botocore.__version__, versions), file=sys.stderr)


if __name__ == "__main__":
    main()
