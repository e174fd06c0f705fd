# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/demo.sh: installs the Debian packages a script
# needs, and only those missing.
#
#   sqlproof_install_packages g++ cmake 'libboost1.81-dev|libboost-dev' 'libclang-rt-14-dev?'
#
# `a|b` accepts whichever is installed, else installs the first one apt can provide;
# a trailing `?` marks a package that is skipped when apt cannot provide it. apt-get update
# and apt-get install run only when something is missing, through sudo when not root.

sqlproof_package_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

sqlproof_package_available() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}

sqlproof_install_packages() {
  local spec alternative wanted=() missing=() to_install=() sudo=()

  if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "packages: no dpkg/apt-get here; assuming the build tools and libraries are installed"
    return 0
  fi

  for spec in "$@"; do
    local found=0
    IFS='|' read -r -a wanted <<<"${spec%\?}"
    for alternative in "${wanted[@]}"; do
      if sqlproof_package_installed "$alternative"; then
        found=1
        break
      fi
    done
    [[ $found -eq 1 ]] || missing+=("$spec")
  done

  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "packages: all present"
    return 0
  fi

  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "packages: missing ${missing[*]}, and not root and no sudo to install them" >&2
      return 1
    fi
  fi

  echo "packages: missing ${missing[*]}; installing"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q

  for spec in "${missing[@]}"; do
    local chosen=""
    IFS='|' read -r -a wanted <<<"${spec%\?}"
    for alternative in "${wanted[@]}"; do
      if sqlproof_package_available "$alternative"; then
        chosen=$alternative
        break
      fi
    done
    if [[ -n $chosen ]]; then
      to_install+=("$chosen")
    elif [[ $spec == *\? ]]; then
      echo "packages: ${spec%\?} is not available here; going on without it"
    else
      echo "packages: apt cannot provide ${spec}" >&2
      return 1
    fi
  done

  if [[ ${#to_install[@]} -gt 0 ]]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${to_install[@]}"
  fi
}
