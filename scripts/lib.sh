# shellcheck shell=bash
# Shared by scripts/setup, scripts/up and scripts/test (sourced, not run):
# finding or installing what restgres needs (a Go toolchain, PostgreSQL 15,
# python3), and building the binary. Debian/Ubuntu only, because
# PostgreSQL comes from the distribution's packages.
#
# Variables the caller may set:
#   DRY_RUN=1  print the commands that would install something instead of
#              running them (detection still runs for real)
#   PG_BIN     folder of initdb/pg_ctl/psql to use instead of looking for one
#   GO_SDK     where a downloaded Go toolchain goes (default ~/sdk/go<version>,
#              the folder golang.org/dl uses)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DRY_RUN=${DRY_RUN:-0}
APT_UPDATED=0

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf '!!! %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# apt_get runs apt-get without questions, as root: directly when we are
# root, else through sudo (apt is the only thing that needs root here).
apt_get() {
	local cmd=(env DEBIAN_FRONTEND=noninteractive apt-get "$@")
	if [ "$(id -u)" -ne 0 ]; then
		if ! command -v sudo >/dev/null 2>&1 && [ "$DRY_RUN" != 1 ]; then
			die "installing packages needs root: run this as root, or install sudo (apt-get $*)"
		fi
		cmd=(sudo "${cmd[@]}")
	fi
	run "${cmd[@]}"
}

# run prints a command and runs it, or only prints it under DRY_RUN=1.
run() {
	if [ "$DRY_RUN" = 1 ]; then
		printf '    [dry-run] %s\n' "$*" >&2
	else
		printf '    $ %s\n' "$*" >&2
		"$@"
	fi
}

# apt_install installs Debian packages without asking anything. The package
# lists are refreshed once per run, because a fresh machine has none.
apt_install() {
	command -v apt-get >/dev/null 2>&1 ||
		die "apt-get not found: this script supports Debian and Ubuntu; install by hand: $*"
	if [ "$APT_UPDATED" = 0 ]; then
		apt_get update -q
		APT_UPDATED=1
	fi
	# No recommends: postgresql-15-postgis-3 would pull in GDAL and the
	# PostGIS command line tools, which nothing here uses.
	apt_get install -y -q --no-install-recommends "$@"
}

# apt_has tells whether the package lists know a package (after an update
# when needed), so that we can fall back when a release lacks postgresql-15.
apt_has() {
	if [ "$APT_UPDATED" = 0 ] && [ -z "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]; then
		apt_get update -q
		APT_UPDATED=1
	fi
	[ -n "$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]
}

# ---------------------------------------------------------------- PostgreSQL

# find_pg_bin prints the folder holding initdb, pg_ctl and psql, looking
# where internal/pgtest and the conformance runner look: $PG_BIN, the
# Debian path of PostgreSQL 15, then pg_config. Other major versions come
# last (and with a warning from ensure_postgres): tests expect 15.
find_pg_bin() {
	local d cands=()
	[ -n "${PG_BIN:-}" ] && cands+=("$PG_BIN")
	cands+=(/usr/lib/postgresql/15/bin)
	if command -v pg_config >/dev/null 2>&1; then
		cands+=("$(pg_config --bindir 2>/dev/null || true)")
	fi
	# shellcheck disable=SC2012 # the names are /usr/lib/postgresql/NN/bin
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5nr); do
		cands+=("$d")
	done
	for d in "${cands[@]}"; do
		if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ]; then
			printf '%s\n' "$d"
			return 0
		fi
	done
	return 1
}

# ensure_postgres installs PostgreSQL 15 (server, client and the contrib
# extensions, which Debian ships inside postgresql-15) when initdb is
# missing, and exports PG_BIN for the tests and the conformance runner.
ensure_postgres() {
	local bin
	if [ -n "${PG_BIN:-}" ] && [ ! -x "$PG_BIN/initdb" ]; then
		warn "PG_BIN=$PG_BIN has no initdb: looking elsewhere"
	fi
	if ! bin=$(find_pg_bin); then
		if [ -n "${PG_BIN:-}" ]; then
			die "PG_BIN=$PG_BIN has no initdb, pg_ctl and psql"
		fi
		say "PostgreSQL server binaries (initdb) not found: installing them"
		if apt_has postgresql-15; then
			apt_install postgresql-15 postgresql-client-15
		else
			# Ubuntu 24.04, for one, ships 16 and no 15. The code works on it;
			# some conformance expectations (error texts, plans) are 15's.
			warn "this release has no postgresql-15 package: installing its default PostgreSQL;"
			warn "the conformance cases were recorded on 15 and a few may differ"
			apt_install postgresql postgresql-contrib
		fi
		[ "$DRY_RUN" = 1 ] && return 0
		bin=$(find_pg_bin) || die "PostgreSQL was installed but initdb is still not found; set PG_BIN"
	fi
	case "$bin" in
	*/15/bin) ;;
	*) warn "using PostgreSQL from $bin, not 15: some expectations may differ" ;;
	esac
	if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
		# initdb refuses to run as root; the clusters run as "postgres".
		die "running as root, but there is no 'postgres' OS user to run PostgreSQL as (Debian's postgresql-common creates it)"
	fi
	export PG_BIN="$bin"
	say "PostgreSQL: $bin ($("$bin/postgres" --version 2>/dev/null || echo '?'))"
}

# pg_sharedir prints the folder where PG_BIN's PostgreSQL looks for extensions.
pg_sharedir() {
	if [ -x "$PG_BIN/pg_config" ]; then
		"$PG_BIN/pg_config" --sharedir
	else
		printf '/usr/share/postgresql/%s\n' "$(basename "$(dirname "$PG_BIN")")"
	fi
}

# ensure_postgis installs PostGIS for PG_BIN's major version, for the
# conformance cases that need it (they are skipped without it).
ensure_postgis() {
	local major=15
	if [ -z "${PG_BIN:-}" ] && [ "$DRY_RUN" = 1 ]; then
		apt_install "postgresql-$major-postgis-3" # PostgreSQL itself is not installed yet
		return 0
	fi
	major=$(basename "$(dirname "$PG_BIN")")
	if [ -e "$(pg_sharedir)/extension/postgis.control" ]; then
		say "PostGIS: installed"
		return 0
	fi
	say "PostGIS not found: installing it"
	apt_install "postgresql-$major-postgis-3"
	[ "$DRY_RUN" = 1 ] && return 0
	[ -e "$(pg_sharedir)/extension/postgis.control" ] ||
		die "postgresql-$major-postgis-3 was installed but $(pg_sharedir)/extension/postgis.control is missing"
	say "PostGIS: installed"
}

# ensure_python makes sure python3 runs: the conformance runner and the
# ratchet are Python 3 (standard library only).
ensure_python() {
	if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
		return 0
	fi
	say "python3 (3.8 or newer) not found: installing it"
	apt_install python3
}

# ------------------------------------------------------------------------ Go

# go_required prints the Go version go.mod asks for (its go line; a
# toolchain line, when there is one, wins if it is newer).
go_required() {
	local v t
	v=$(awk '$1 == "go" { print $2; exit }' "$REPO/go.mod")
	t=$(awk '$1 == "toolchain" { sub(/^go/, "", $2); print $2; exit }' "$REPO/go.mod")
	[ -n "$v" ] || die "no go line in $REPO/go.mod"
	if [ -n "$t" ] && version_ge "$t" "$v"; then v=$t; fi
	# "go 1.22" names a language version; the first release of it is 1.22.0.
	case "$v" in *.*.*) ;; 1.2[1-9] | 1.[3-9][0-9]) v=$v.0 ;; esac
	printf '%s\n' "$v"
}

# version_ge A B: is Go version A at least B? (sort -V orders 1.26rc1
# before 1.26.0 and 1.26.8 before 1.26.10, as Go does.)
version_ge() {
	[ "$1" = "$2" ] || [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]
}

# go_version_of prints the version of the go binary $1 without letting it
# switch toolchains (GOTOOLCHAIN=local; older go ignores the variable).
go_version_of() {
	(cd / && GOTOOLCHAIN=local "$1" version 2>/dev/null) | awk '{ sub(/^go/, "", $3); print $3; exit }'
}

go_arch() {
	case "$(uname -m)" in
	x86_64 | amd64) echo amd64 ;;
	aarch64 | arm64) echo arm64 ;;
	armv6l | armv7l) echo armv6l ;;
	i386 | i686) echo 386 ;;
	ppc64le) echo ppc64le ;;
	s390x) echo s390x ;;
	riscv64) echo riscv64 ;;
	*) die "no Go toolchain for this machine ($(uname -m)): install Go $(go_required) by hand" ;;
	esac
}

# install_go_zip downloads the official toolchain zip of Go $1 from the Go
# module proxy (the same file `GOTOOLCHAIN=go$1` would fetch), checks it
# against the checksum database's hash for it, and unpacks it into $2.
install_go_zip() {
	local ver=$1 dest=$2 modver mod url need=()
	modver="v0.0.1-go$ver.linux-$(go_arch)"
	mod="golang.org/toolchain@$modver"
	url="https://proxy.golang.org/golang.org/toolchain/@v/$modver.zip"
	say "Go $ver not found: installing it into $dest from $url"
	command -v curl >/dev/null 2>&1 || need+=(curl)
	[ -e /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
	command -v unzip >/dev/null 2>&1 || need+=(unzip)
	[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
	if [ "$DRY_RUN" = 1 ]; then
		printf '    [dry-run] download %s, check its h1: hash, unpack it into %s\n' "$url" "$dest" >&2
		return 0
	fi
	mkdir -p "$(dirname "$dest")"
	# A subshell, so that its EXIT trap removes the download whatever happens;
	# next to $dest, so that the final mv does not copy 250 MB across disks.
	(
		tmp=$(mktemp -d "$(dirname "$dest")/.go-download.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		curl -fsSL --retry 3 -o "$tmp/go.zip" "$url" || die "could not download $url"
		# The proxy also serves the checksum database (sum.golang.org), which
		# the go command itself checks toolchains against. Its line for the
		# zip is "<module> <version> h1:<base64 sha256 of the file list>".
		sum=$(curl -fsSL --retry 3 "https://proxy.golang.org/sumdb/sum.golang.org/lookup/$mod" |
			awk -v v="$modver" '$1 == "golang.org/toolchain" && $2 == v { print $3; exit }') ||
			die "could not look up the checksum of $mod"
		[ -n "$sum" ] || die "the checksum database has no hash for $mod"
		unzip -q "$tmp/go.zip" -d "$tmp/x"
		# The h1: hash (golang.org/x/mod/sumdb/dirhash.Hash1) is the sha256 of
		# the lines "<sha256 hex>  <path in the zip>\n" sorted by path, which
		# is what sha256sum prints for the unpacked files (no directory
		# entries in a module zip, no backslashes or newlines in Go's paths).
		got=$(cd "$tmp/x" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
			xargs -d '\n' sha256sum | sha256sum | cut -d' ' -f1)
		got="h1:$(printf '%b' "$(printf '%s' "$got" | sed 's/../\\x&/g')" | base64)"
		[ "$got" = "$sum" ] || die "checksum mismatch for $url: got $got, the checksum database says $sum"
		rm -rf "$dest"
		mv "$tmp/x/$mod" "$dest"
		# Module zips need not keep file modes; the go command sets these too.
		chmod -R a+rX "$dest"
		chmod a+x "$dest"/bin/* "$dest"/pkg/tool/*/*
	) || exit 1
	say "Go $ver installed in $dest; add $dest/bin to your PATH to use it outside these scripts"
}

# ensure_go finds a Go toolchain at least as new as go.mod asks for and puts
# it first on PATH for the rest of the script. In order: a go new enough (on
# PATH, in /usr/local/go, or one we downloaded before); a go 1.21+ that can
# fetch the right toolchain itself (GOTOOLCHAIN, checked against
# sum.golang.org); otherwise the official toolchain zip from the module proxy.
ensure_go() {
	local req cand v old=""
	req=$(go_required)
	local sdk=${GO_SDK:-${HOME:?HOME is not set}/sdk/go$req}
	for cand in "$(command -v go 2>/dev/null || true)" /usr/local/go/bin/go "$sdk/bin/go"; do
		if [ -z "$cand" ] || [ ! -x "$cand" ]; then continue; fi
		v=$(go_version_of "$cand")
		[ -n "$v" ] || continue
		if version_ge "$v" "$req"; then
			PATH="$(dirname "$cand"):$PATH"
			export PATH
			say "Go: $cand (go$v; go.mod needs $req)"
			return 0
		fi
		if [ -z "$old" ] && version_ge "$v" 1.21; then old=$cand; fi
	done
	if [ -n "$old" ]; then
		# The environment wins over go.env, which may say GOTOOLCHAIN=local.
		PATH="$(dirname "$old"):$PATH"
		export PATH GOTOOLCHAIN="go$req"
		say "Go: $old is go$(go_version_of "$old"); go.mod needs $req: using GOTOOLCHAIN=$GOTOOLCHAIN"
		[ "$DRY_RUN" = 1 ] && return 0
		(cd "$REPO" && run go version) || die "could not switch to Go $req with GOTOOLCHAIN"
		return 0
	fi
	install_go_zip "$req" "$sdk"
	[ "$DRY_RUN" = 1 ] && return 0
	export PATH="$sdk/bin:$PATH"
	say "Go: $sdk/bin/go (go$(go_version_of "$sdk/bin/go"))"
}

# --------------------------------------------------------------------- build

# build compiles bin/restgres.
build() {
	say "building bin/restgres"
	[ "$DRY_RUN" = 1 ] && return 0
	(cd "$REPO" && go build -o bin/restgres ./cmd/restgres)
}
