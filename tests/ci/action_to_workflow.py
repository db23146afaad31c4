#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks a composite action's metadata (action.yml) and writes its steps as a workflow.

actionlint lints workflows; it has no mode for an action's own metadata file. This script
checks what is particular to a composite action (runs.using, a shell on every run step, no
step that both runs and uses, descriptions on inputs and outputs, every `inputs.X` defined,
every output taken from a step id that exists), then writes the steps as one job of a
reusable workflow whose workflow_call inputs are the action's inputs, so actionlint checks
the rest as it checks any workflow: expressions and their types, contexts, step ids and
outputs, the inputs of the actions used, `if:` conditions. Usage:
action_to_workflow.py ACTION_YML OUT_WORKFLOW; exit 1 with one line per problem.
"""
import re
import sys

import yaml


def main():
    src, out = sys.argv[1], sys.argv[2]
    text = open(src, encoding="utf-8").read()
    action = yaml.safe_load(text)
    errors = []
    for key in ("name", "description", "runs"):
        if key not in action:
            errors.append(f"{src}: missing top-level '{key}'")
    runs = action.get("runs", {})
    if runs.get("using") != "composite":
        errors.append(f"{src}: runs.using is {runs.get('using')!r}, expected 'composite'")
    steps = runs.get("steps") or []
    if not steps:
        errors.append(f"{src}: runs.steps is empty")
    ids = set()
    for i, step in enumerate(steps):
        where = f"{src}: runs.steps[{i}] ({step.get('name', step.get('id', '?'))})"
        if ("run" in step) == ("uses" in step):
            errors.append(f"{where}: needs exactly one of run and uses")
        if "run" in step and "shell" not in step:
            errors.append(f"{where}: a composite action's run step needs a shell")
        if "id" in step:
            if step["id"] in ids:
                errors.append(f"{where}: duplicate step id {step['id']!r}")
            ids.add(step["id"])
    inputs = action.get("inputs") or {}
    for name, spec in inputs.items():
        if not isinstance(spec, dict) or not spec.get("description"):
            errors.append(f"{src}: input {name!r} has no description")
    for name in sorted(set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))):
        if name not in inputs:
            errors.append(f"{src}: inputs.{name} is used but not defined")
    for name, spec in (action.get("outputs") or {}).items():
        if not spec.get("description") or "value" not in spec:
            errors.append(f"{src}: output {name!r} needs a description and a value")
            continue
        for ref in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs", spec["value"]):
            if ref not in ids:
                errors.append(f"{src}: output {name!r} reads step {ref!r}, which does not exist")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    call_inputs = {}
    for name, spec in inputs.items():
        call_inputs[name] = {
            "description": spec["description"],
            "required": bool(spec.get("required", False)),
            "type": "string",
        }
        if "default" in spec:
            call_inputs[name]["default"] = str(spec["default"])
    workflow = {
        "name": f"{action['name']} (steps of {src})",
        "on": {"workflow_call": {"inputs": call_inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": steps}},
    }
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(workflow, f, sort_keys=False, width=1000)


if __name__ == "__main__":
    main()
