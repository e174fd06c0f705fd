#!/usr/bin/env bash
# Runs a command in a brand-new Debian root, to check that the README's commands work on a
# clean machine, not only on one where packages were already installed by hand.
#
#   bash scripts/fresh_root.sh 'bash scripts/demo.sh'
#   bash scripts/fresh_root.sh --suite trixie 'SQLPROOF_TEST_QUICK=1 bash scripts/test.sh'
#   bash scripts/fresh_root.sh --with-changes 'bash scripts/test.sh --install-only'
#
# What it does, as root (debootstrap, chroot and mount need it):
# 1. builds a Debian minbase root with debootstrap (bookworm = Debian 12 by default, or
#    --suite trixie = Debian 13) once, and keeps it as a tarball under
#    /var/tmp/sqlproof-fresh-root (outside the checkout; SQLPROOF_FRESH_ROOT_CACHE to change);
#    installs debootstrap first if it is missing;
# 2. unpacks that tarball into a new directory, so every run starts from nothing installed
#    beyond minbase;
# 3. clones this checkout's committed HEAD into /sqlproof inside it (--with-changes also
#    applies the uncommitted changes to tracked files);
# 4. mounts proc, sys, dev and dev/pts, and runs the command there as root with a clean
#    environment (PATH, HOME, TERM, and CI and SQLPROOF_* passed through), in /sqlproof;
# 5. reports the wall time, the packages the command installed and their download size, and
#    on failure the last lines of its output;
# 6. unmounts everything and deletes the root (--keep leaves it). It never deletes while
#    anything is still mounted below the root: then it says so and leaves the directory.
#
# The Debian mirror is the one this machine's apt sources use (SQLPROOF_DEBIAN_MIRROR to
# change); nothing about it is written into the repository.
#
# Exits with the command's exit status (or 2 for a problem of its own).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suite=bookworm
keep=0
with_changes=0
tail_lines=${SQLPROOF_FRESH_ROOT_TAIL:-40}
cache=${SQLPROOF_FRESH_ROOT_CACHE:-/var/tmp/sqlproof-fresh-root}

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "fresh_root: $*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --suite) suite=${2:?--suite needs a name}; shift 2 ;;
    --keep) keep=1; shift ;;
    --with-changes) with_changes=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || die "give the command to run as one argument (see --help)"
command_text=$1

[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap, chroot and mount)"
case $suite in
  bookworm | trixie) ;;
  *) die "--suite must be bookworm (Debian 12) or trixie (Debian 13), not $suite" ;;
esac

# shellcheck source=scripts/packages.sh
source "$root/scripts/packages.sh"
sqlproof_install_packages debootstrap git ca-certificates tar

# The mirror of this machine's Debian sources: deb822 (.sources) files first, then the
# one-line format. The first URI that serves the main archive (not -security) is used.
debian_mirror() {
  local file line uris="" suites=""
  if [[ -n ${SQLPROOF_DEBIAN_MIRROR:-} ]]; then
    echo "$SQLPROOF_DEBIAN_MIRROR"
    return
  fi
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -f $file ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      case $line in
        URIs:*) uris=${line#URIs:} ;;
        Suites:*) suites=${line#Suites:} ;;
        "")
          if [[ -n $uris && $suites =~ (bookworm|trixie|stable)([[:space:]]|$) ]]; then
            read -r uris _ <<<"$uris"
            echo "$uris"
            return
          fi
          uris="" suites="" ;;
      esac
    done <"$file"
    if [[ -n $uris && $suites =~ (bookworm|trixie|stable)([[:space:]]|$) ]]; then
      read -r uris _ <<<"$uris"
      echo "$uris"
      return
    fi
    uris="" suites=""
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $file ]] || continue
    while read -r kind uri dist _; do
      if [[ $kind == deb && $dist =~ ^(bookworm|trixie|stable)$ ]]; then
        echo "$uri"
        return
      fi
    done <"$file"
  done
  return 1
}

mirror=$(debian_mirror) || die "no Debian archive in this machine's apt sources; set SQLPROOF_DEBIAN_MIRROR"

mkdir -p "$cache"
base="$cache/$suite-minbase.tar"
if [[ ! -f $base ]]; then
  echo "fresh_root: building a Debian $suite minbase root (once; kept as $base)"
  staging=$(mktemp -d "$cache/debootstrap.XXXXXX")
  if ! debootstrap --variant=minbase "$suite" "$staging/root" "$mirror" >"$staging/log" 2>&1; then
    tail -n "$tail_lines" "$staging/log" >&2
    # debootstrap mounts proc and sys while it works; never delete through them.
    umount "$staging/root/proc" "$staging/root/sys" 2>/dev/null || true
    die "debootstrap of $suite from $mirror failed (log: $staging/log)"
  fi
  umount "$staging/root/proc" "$staging/root/sys" 2>/dev/null || true
  tar -C "$staging/root" -cf "$base.partial" .
  mv "$base.partial" "$base"
  rm -rf --one-file-system "$staging"
fi

work=$(mktemp -d "$cache/run.XXXXXX")
fresh="$work/root"
mounted=()

# Unmounts everything below $fresh, innermost first, then deletes $work unless asked to keep
# it. Mounts are read back from the kernel, so one that this script did not make (or that
# failed to unmount) is seen too, and then nothing is deleted.
# shellcheck disable=SC2317  # called through the EXIT trap
cleanup() {
  local status=$? target still=()
  set +e
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null
  done
  while read -r _ target _; do
    target=$(printf '%b' "$target")
    [[ $target == "$fresh" || $target == "$fresh"/* ]] && still+=("$target")
  done </proc/self/mounts
  if [[ ${#still[@]} -gt 0 ]]; then
    echo "fresh_root: still mounted, so $work is left in place: ${still[*]}" >&2
  elif [[ $keep -eq 1 ]]; then
    echo "fresh_root: kept $fresh"
  else
    rm -rf --one-file-system "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$fresh"
tar -C "$fresh" -xf "$base"

# Name resolution and the same apt sources a fresh install of $suite has (debootstrap wrote
# them from $mirror).
cp /etc/resolv.conf "$fresh/etc/resolv.conf"
[[ -f /etc/hosts ]] && cp /etc/hosts "$fresh/etc/hosts"

git clone --quiet --no-hardlinks "$root" "$fresh/sqlproof"
if [[ $with_changes -eq 1 ]]; then
  changes=$(git -C "$root" diff HEAD --binary)
  if [[ -n $changes ]]; then
    git -C "$fresh/sqlproof" apply --whitespace=nowarn <<<"$changes"
  fi
fi
commit=$(git -C "$fresh/sqlproof" rev-parse --short HEAD)

mount_in() {  # mount_in <target below $fresh> <mount arguments...>
  local target=$1
  shift
  mount "$@" "$target"
  mounted+=("$target")
}
mount_in "$fresh/proc" -t proc proc
mount_in "$fresh/sys" -t sysfs sysfs
mount_in "$fresh/dev" --bind /dev
mount_in "$fresh/dev/pts" --bind /dev/pts

environment=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  "TERM=${TERM:-dumb}" LANG=C.UTF-8)
[[ -n ${CI:-} ]] && environment+=("CI=$CI")
for name in $(compgen -e); do
  if [[ $name == SQLPROOF_* && $name != SQLPROOF_FRESH_ROOT_* && $name != SQLPROOF_DEBIAN_MIRROR ]]; then
    environment+=("$name=${!name}")
  fi
done

# apt-get keeps what it downloads in /var/cache/apt/archives: its growth is the download.
archive_bytes() {
  local deb total=0
  for deb in "$fresh"/var/cache/apt/archives/*.deb; do
    [[ -f $deb ]] && total=$((total + $(stat -c %s "$deb")))
  done
  echo "$total"
}
packages_before=$(chroot "$fresh" dpkg-query --show --showformat='.' | wc -c)
archives_before=$(archive_bytes)
echo "fresh_root: Debian $suite minbase ($packages_before packages), sqlproof $commit, mirror from this machine's apt sources"
echo "fresh_root: running: $command_text"
start=$SECONDS
log="$work/command.log"
set +e
# shellcheck disable=SC2016  # $1 is expanded by the inner shell
chroot "$fresh" /usr/bin/env -i "${environment[@]}" \
  /bin/bash -c 'cd /sqlproof && eval "$1"' fresh_root "$command_text" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
seconds=$((SECONDS - start))

packages_after=$(chroot "$fresh" dpkg-query --show --showformat='.' | wc -c)
download_bytes=$(($(archive_bytes) - archives_before))
disk=$(du -sh --one-file-system "$fresh")
printf 'fresh_root: %s after %dm%02ds: %d packages installed, %d MB downloaded, root now %s\n' \
  "$([[ $status -eq 0 ]] && echo passed || echo "FAILED (exit status $status)")" \
  $((seconds / 60)) $((seconds % 60)) $((packages_after - packages_before)) \
  $((download_bytes / 1000000)) "${disk%%$'\t'*}"
if [[ $status -ne 0 ]]; then
  echo "fresh_root: the last $tail_lines lines of the command's output:"
  tail -n "$tail_lines" "$log"
fi
exit "$status"
