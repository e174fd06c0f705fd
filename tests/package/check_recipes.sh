#!/usr/bin/env bash
# Checks the packaging recipes without Conan or vcpkg (neither can reach its servers here):
#
#   tests/package/check_recipes.sh <source-root> [<install-prefix>]
#
# - conanfile.py and test_package/conanfile.py are valid Python (byte-compiled; the `conan`
#   module they import is not needed for that);
# - vcpkg.json and ports/sqlproof/vcpkg.json are valid JSON, named sqlproof, and carry the
#   version of CMakeLists.txt's project() call, as does include/sqlproof/config.hpp;
# - every SQLPROOF_* option the recipes set (vcpkg features included) is an option or cache
#   variable CMakeLists.txt declares;
# - the recipes name the package and targets CMake exports (sqlproof, sqlproof::sqlproof,
#   sqlproof::core, sqlproof::postgres);
# - the PostgreSQL backend is optional in each: the Conan option with_postgres (default False)
#   requires libpq and sets SQLPROOF_WITH_POSTGRES; both vcpkg manifests have a feature
#   `postgres` that depends on libpq, and the port turns it into SQLPROOF_WITH_POSTGRES;
# - with <install-prefix> (a `cmake --install` of the project), the directory the vcpkg port
#   hands to vcpkg_cmake_config_fixup holds sqlproofConfig.cmake, and the Conan test package
#   (test_package/CMakeLists.txt and test_package.cpp) builds and runs against that prefix
#   through sqlproof's own package files (Conan would use the ones CMakeDeps generates).
#
# Prints what it checked; exits non-zero at the first problem.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 <source-root> [<install-prefix>]" >&2
  exit 2
fi

source_root=$(cd "$1" && pwd)
prefix=${2:-}

# Byte-compiled files and the test package's build go to a temporary directory, never next
# to the sources.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
pycache="$scratch/pycache"
for recipe in conanfile.py test_package/conanfile.py; do
  PYTHONPYCACHEPREFIX="$pycache" python3 -m py_compile "$source_root/$recipe"
  echo "recipes: $recipe compiles"
done

python3 - "$source_root" "$prefix" <<'PY'
import json
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
prefix = sys.argv[2]
problems = []


def read(relative):
    return (root / relative).read_text(encoding="utf-8")


cmake = read("CMakeLists.txt")
match = re.search(r"project\(\s*sqlproof\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", cmake)
if not match:
    sys.exit("recipes: no `project(sqlproof VERSION x.y.z)` in CMakeLists.txt")
version = match.group(1)
print(f"recipes: CMake project version {version}")

for manifest in ("vcpkg.json", "ports/sqlproof/vcpkg.json"):
    try:
        with open(root / manifest, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        problems.append(f"{manifest}: {e}")
        continue
    found = data.get("version", data.get("version-string"))
    if data.get("name") != "sqlproof":
        problems.append(f"{manifest}: name is {data.get('name')!r}, expected 'sqlproof'")
    if found != version:
        problems.append(f"{manifest}: version {found!r} differs from CMakeLists.txt's {version}")
    names = [d if isinstance(d, str) else d.get("name") for d in data.get("dependencies", [])]
    for needed in ("sqlite3", "boost-pfr"):
        if needed not in names:
            problems.append(f"{manifest}: does not depend on {needed}")
    if "libpq" in names:
        problems.append(f"{manifest}: depends on libpq by default; only the feature postgres may")
    postgres = data.get("features", {}).get("postgres")
    feature_names = [d if isinstance(d, str) else d.get("name")
                     for d in (postgres or {}).get("dependencies", [])]
    if "libpq" not in feature_names:
        problems.append(f"{manifest}: no feature `postgres` that depends on libpq")
    print(f"recipes: {manifest} is valid JSON, version {found}")

config = read("include/sqlproof/config.hpp")
parts = [re.search(rf"#define SQLPROOF_VERSION_{p} (\d+)", config) for p in ("MAJOR", "MINOR", "PATCH")]
header_version = ".".join(m.group(1) if m else "?" for m in parts)
if header_version != version:
    problems.append(f"include/sqlproof/config.hpp: version {header_version} differs from {version}")

declared = set(re.findall(r"option\((SQLPROOF_[A-Z_]+)", cmake))
declared |= set(re.findall(r"set\((SQLPROOF_[A-Z_]+)\s[^)]*\bCACHE\b", cmake))
conanfile = read("conanfile.py")
portfile = read("ports/sqlproof/portfile.cmake")
used = {("conanfile.py", o) for o in re.findall(r'variables\["(SQLPROOF_[A-Z_]+)"\]', conanfile)}
used |= {("ports/sqlproof/portfile.cmake", o) for o in re.findall(r"-D(SQLPROOF_[A-Z_]+)=", portfile)}
# vcpkg_check_features(... FEATURES <feature> <option> ...): each feature must be declared by
# the port's manifest, each option by CMakeLists.txt.
port_features = set(json.loads(read("ports/sqlproof/vcpkg.json")).get("features", {}))
features_block = re.search(r"vcpkg_check_features\(([^)]*)\)", portfile)
feature_pairs = re.findall(r"^\s*([a-z0-9-]+)\s+(SQLPROOF_[A-Z_]+)\s*$",
                           features_block.group(1) if features_block else "", re.M)
for feature, option in feature_pairs:
    used.add(("ports/sqlproof/portfile.cmake", option))
    if feature not in port_features:
        problems.append(f"ports/sqlproof/portfile.cmake: feature {feature} is not in ports/sqlproof/vcpkg.json")
if ("postgres", "SQLPROOF_WITH_POSTGRES") not in feature_pairs:
    problems.append("ports/sqlproof/portfile.cmake: the feature postgres does not set SQLPROOF_WITH_POSTGRES")
if "${FEATURE_OPTIONS}" not in portfile:
    problems.append("ports/sqlproof/portfile.cmake: the feature options are not passed to vcpkg_cmake_configure")
for recipe, option in sorted(used):
    if option not in declared:
        problems.append(f"{recipe}: sets {option}, which CMakeLists.txt does not declare")
if not used:
    problems.append("no SQLPROOF_* option found in the recipes")

for needle in ('"cmake_file_name", "sqlproof"', '"cmake_target_name", "sqlproof::sqlproof"',
               '"pkg_config_name", "sqlproof"', 'package_type = "header-library"',
               '"cmake_target_name", "sqlproof::core"', '"cmake_target_name", "sqlproof::postgres"',
               '"pkg_config_name", "sqlproof-postgres"', '"with_postgres": [True, False]',
               '"with_postgres": False', 'self.requires("libpq/', '"libpq::libpq"',
               'tc.variables["SQLPROOF_WITH_POSTGRES"]'):
    if needle not in conanfile:
        problems.append(f"conanfile.py: missing {needle}")

fixup = re.search(r"vcpkg_cmake_config_fixup\(\s*CONFIG_PATH\s+(\S+?)\s*\)", portfile)
if not fixup:
    problems.append("ports/sqlproof/portfile.cmake: no vcpkg_cmake_config_fixup(CONFIG_PATH ...)")
elif prefix:
    config_file = pathlib.Path(prefix) / fixup.group(1) / "sqlproofConfig.cmake"
    if not config_file.is_file():
        problems.append(f"portfile CONFIG_PATH {fixup.group(1)}: {config_file} is not installed there")
    else:
        print(f"recipes: the port's CONFIG_PATH {fixup.group(1)} holds sqlproofConfig.cmake")

for problem in problems:
    print(f"recipes: {problem}")
if problems:
    sys.exit(1)
print("recipes: all checks passed")
PY

if [[ -n $prefix ]]; then
  cmake -S "$source_root/test_package" -B "$scratch/test_package" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix"
  cmake --build "$scratch/test_package"
  "$scratch/test_package/test_package"
  echo "recipes: test_package builds and runs against $prefix"
fi
