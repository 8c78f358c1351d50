#!/usr/bin/env python3
"""Validates tlstop event-stream files (NDJSON) against docs/event-schema.json.

usage: validate-events.py SCHEMA FILE.ndjson...
Prints one line per invalid record (file, line number, JSON path, reason) and exits 1 if any;
otherwise prints the number of lines checked. Uses the python3-jsonschema package (Draft 2020-12)
with format checks (date-time, ipv4, ipv6).
"""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    checked = 0
    failures = 0
    for path in argv[2:]:
        with open(path, "rb") as handle:
            data = handle.read()
        if data and not data.endswith(b"\n"):
            print(f"{path}: does not end with a newline (a partial last line)")
            failures += 1
        for number, raw in enumerate(data.splitlines(), start=1):
            checked += 1
            try:
                record = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                print(f"{path}:{number}: not a JSON document: {error}")
                failures += 1
                continue
            for error in validator.iter_errors(record):
                where = "/".join(str(part) for part in error.absolute_path) or "(root)"
                print(f"{path}:{number}: {where}: {error.message}")
                failures += 1
    print(f"checked {checked} lines, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
