# shellcheck shell=bash
# Sourced by scripts/test.sh, scripts/demo.sh and scripts/fresh_root.sh: installs the Debian
# packages a script needs, and only those missing.
#
#   sqlproof_install_packages g++ cmake 'libboost1.81-dev|libboost-dev' 'libclang-rt-14-dev?'
#
# `a|b` accepts whichever is installed, else installs the first one apt can provide;
# a trailing `?` marks a package that is skipped when apt cannot provide it. apt-get update
# and apt-get install run only when something is missing, through sudo when not root.
# When apt cannot provide a required package, apt-get's own message says why.
#
# Written to run under `set -euo pipefail`: no output is piped into a reader that may stop
# early (such as `grep -q`), because the writer then dies of SIGPIPE and the pipeline
# fails although the answer was yes. Command output is captured first and matched in bash.

# sqlproof_package_installed <package>: true when dpkg has it installed.
sqlproof_package_installed() {
  local status
  status=$(dpkg-query --show --showformat='${db:Status-Status}' "$1" 2>/dev/null) || return 1
  [[ $status == installed ]]
}

# sqlproof_package_available <package>: true when apt has a candidate version to install.
sqlproof_package_available() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
  [[ $policy =~ Candidate:\ [^\(] ]]
}

# sqlproof_install_packages <spec>...: installs what is missing; returns non-zero, after
# apt's own explanation, when a required package cannot be installed.
sqlproof_install_packages() {
  local spec alternative found chosen wanted=() missing=() to_install=() sudo=()

  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "packages: no dpkg/apt-get here; assuming the build tools and libraries are installed"
    return 0
  fi

  for spec in "$@"; do
    found=0
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
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q; then
    echo "packages: apt-get update failed (apt's message is above)" >&2
    return 1
  fi

  for spec in "${missing[@]}"; do
    chosen=""
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
      # Ask apt for it anyway: its message (unknown package, no installation candidate, a
      # broken source) says why far better than a guess here.
      to_install+=("${wanted[0]}")
    fi
  done

  if [[ ${#to_install[@]} -gt 0 ]]; then
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "${to_install[@]}"; then
      echo "packages: apt-get install ${to_install[*]} failed (apt's message is above)" >&2
      return 1
    fi
  fi
}

# sqlproof_first_line <command> [args...]: the first line of a command's output, read without
# a pipe into `head` (see above).
sqlproof_first_line() {
  local out
  out=$("$@")
  printf '%s\n' "${out%%$'\n'*}"
}
