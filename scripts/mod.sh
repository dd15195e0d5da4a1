#!/usr/bin/env bash
# `make mod`: packages the Factorio mod as dist/kafkatorio_<version>.zip with the single folder
# kafkatorio_<version>/ inside, as the game and the mod portal require. Only the shippable files
# go in (info.json, control.lua, settings.lua, scripts/, locale/, changelog.txt, thumbnail.png).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
read -r NAME VERSION < <(python3 -c 'import json; i=json.load(open("mod/info.json")); print(i["name"], i["version"])')
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "mod: bad version '$VERSION' in mod/info.json" >&2; exit 1; }
grep -q "^Version: $VERSION\$" mod/changelog.txt || { echo "mod: mod/changelog.txt has no 'Version: $VERSION' block" >&2; exit 1; }
python3 - "$NAME" "$VERSION" <<'PY'
import os, sys, zipfile
name, version = sys.argv[1], sys.argv[2]
folder = f"{name}_{version}"
os.makedirs("dist", exist_ok=True)
out = os.path.join("dist", folder + ".zip")
files = ["info.json", "control.lua", "settings.lua", "changelog.txt", "thumbnail.png"]
for sub in ("scripts", "locale"):
    for dirpath, _, names in os.walk(os.path.join("mod", sub)):
        files += [os.path.relpath(os.path.join(dirpath, n), "mod") for n in sorted(names)]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(files):
        z.write(os.path.join("mod", f), f"{folder}/{f}")
os.replace(out + ".tmp", out)
print(f"mod: {out} ({len(files)} files, {os.path.getsize(out)} bytes)")
PY
