# Sourced by scripts/serve and scripts/test: make .venv hold the lock named by $1, exactly.
#
# The test lock is the runtime lock plus the test tools, with the same pins (scripts/lock makes it
# so), so a venv made for the tests also serves, and one made for serving only needs the test
# tools added. A venv made from any other lock, or an older one, is made again from scratch so that
# nothing the lock no longer names stays behind.
_stamp() { echo "$1 $(sha256sum "$1" | cut -d' ' -f1)"; }

install_lock() {
    local lock=$1 have=""
    [ -x .venv/bin/python ] && [ -f .venv/.lock ] && have=$(cat .venv/.lock)
    case "$have" in
        "$(_stamp "$lock")") return ;;
        "$(_stamp requirements/test.txt)") return ;;  # the test lock holds the runtime lock
        "$(_stamp requirements/runtime.txt)") ;;       # add the test tools to it
        *) rm -rf .venv && python3 -m venv .venv ;;
    esac
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r "$lock"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
    _stamp "$lock" > .venv/.lock
}
