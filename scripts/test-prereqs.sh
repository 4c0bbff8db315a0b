#!/usr/bin/env bash
# What the test suite needs besides node_modules, installed or started if missing (Debian/Ubuntu):
#   xmlsec1          independent verifier of every packet the gateway signs
#   libxml2-utils    xmllint: the XML renditions against the profile's record.xsd
#   softhsm2         the PKCS#11 token the signer is tested against
#   chromium         the dashboard's browser test (playwright-core drives /usr/bin/chromium)
#   poppler-utils    pdftotext: the printed học bạ
#   python3-openpyxl an independent reader of the workbooks the gateway writes
#   python3-lxml     libxml2's Canonical XML 1.0, against the gateway's (comes with openpyxl)
#   openssl          throwaway certificates, and RFC 3161 time-stamp tokens (`openssl ts`) from
#                    another implementation than the gateway's
#   postgresql       on 127.0.0.1:5432, trust auth, database `test`: the storage contract and replicas
# Runs before `npm test` (the pretest script) and from .ci/run. As root it installs with apt-get;
# otherwise it names what is missing and stops, so that no test passes by skipping.
set -uo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO="none"; fi
fi

need_apt=()
command -v xmlsec1 >/dev/null 2>&1 || need_apt+=(xmlsec1)
command -v xmllint >/dev/null 2>&1 || need_apt+=(libxml2-utils)
{ command -v softhsm2-util >/dev/null 2>&1 && [ -e /usr/lib/softhsm/libsofthsm2.so ]; } || need_apt+=(softhsm2)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || need_apt+=(python3-openpyxl)  # Debian's python3: the one the workbook tests run
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
/usr/bin/python3 -c 'import lxml' >/dev/null 2>&1 || need_apt+=(python3-lxml)  # libxml2's canonical XML, beside the gateway's

pg_ready() {
  if command -v pg_isready >/dev/null 2>&1; then pg_isready -q -h 127.0.0.1 -p 5432
  else (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; fi
}
pg_ready || ls /etc/postgresql/*/main >/dev/null 2>&1 || need_apt+=(postgresql)

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$SUDO" = "none" ]; then
    echo "test prerequisites missing: ${need_apt[*]}" >&2
    echo "install them (apt-get install ${need_apt[*]}) or run the tests as root: bash .ci/run" >&2
    exit 1
  fi
  echo "installing: ${need_apt[*]}"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null || exit 1
  if [[ " ${need_apt[*]} " == *" postgresql "* ]]; then
    for hba in /etc/postgresql/*/main/pg_hba.conf; do
      $SUDO sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/' "$hba"
    done
  fi
fi

# PostgreSQL: start it if it is installed but down; fail if it still does not answer.
if ! pg_ready; then
  if [ "$SUDO" = "none" ]; then
    echo "PostgreSQL does not answer on 127.0.0.1:5432; start it (pg_ctlcluster VERSION main start) or run: bash .ci/run" >&2
    exit 1
  fi
  for v in $(ls /etc/postgresql 2>/dev/null); do $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true; done
  for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
fi
if ! pg_ready; then
  echo "PostgreSQL does not answer on 127.0.0.1:5432; the PostgreSQL tests cannot run" >&2
  exit 1
fi
if command -v psql >/dev/null 2>&1 && ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE test' >/dev/null 2>&1 || true
fi
exit 0
