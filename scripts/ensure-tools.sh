#!/usr/bin/env bash
# Installs (or finds) what the build and the tests need on a fresh machine of this project's kind:
# a JDK 25 for the toolchain, the C compiler for core's JNI library, and the Debian packages that
# differential and load tests drive (and libssl, which Tomcat's OpenSSL rows load).
set -euo pipefail

need_pkgs=()
command -v python3 >/dev/null 2>&1 || need_pkgs+=(python3)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "raindrops"' >/dev/null 2>&1 || need_pkgs+=(ruby-raindrops)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "rack"' >/dev/null 2>&1 || need_pkgs+=(ruby-rack)
command -v ruby >/dev/null 2>&1 && ruby -e 'require "aggregate"' >/dev/null 2>&1 || need_pkgs+=(ruby-aggregate)
command -v promtool >/dev/null 2>&1 || need_pkgs+=(prometheus)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
# The core module compiles its JNI library (netlink on JDK 17-21) with gcc against glibc's headers.
command -v gcc >/dev/null 2>&1 || need_pkgs+=(gcc)
dpkg -s libc6-dev >/dev/null 2>&1 || need_pkgs+=(libc6-dev)
# Tomcat's OpenSSL through FFM (TlsIT's Tomcat OpenSSL rows) loads libssl.so, the name libssl-dev links.
dpkg -s libssl-dev >/dev/null 2>&1 || need_pkgs+=(libssl-dev)

if ((${#need_pkgs[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-tools: installing ${need_pkgs[*]}" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  else
    echo "ensure-tools: missing ${need_pkgs[*]} and cannot apt-get install them (not root?); tests that need them will fail" >&2
  fi
fi

# The toolchain plugin discovers JDKs itself (JAVA_HOME, /usr/lib/jvm, ...); fail early with a clear line if none is 25+.
found=""
for j in /usr/lib/jvm/*/bin/java ${JAVA_HOME:+$JAVA_HOME/bin/java}; do
  [ -x "$j" ] || continue
  v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then found="$j"; break; fi
done
if [ -z "$found" ]; then
  echo "ensure-tools: no JDK 25+ found under /usr/lib/jvm or JAVA_HOME; install one (e.g. Temurin 25) there" >&2
  exit 1
fi
