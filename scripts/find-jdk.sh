# Sourced by ./ember, ./mvnw and .ci/run: prints the home of a JDK 25, or explains how to get one.
# Order: JAVA_HOME, then the usual install folders of Linux distributions and macOS, then java on PATH.
ember_jdk_major() {
  # The feature version of the JDK at $1, from its release file (no JVM start needed).
  local rel="$1/release"
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  if [ -f "$rel" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
  else
    "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1
  fi
}

ember_find_jdk25() {
  local c candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for c in /usr/lib/jvm/*25* /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home \
           "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
    [ -d "$c" ] && candidates+=("$c")
  done
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for c in "${candidates[@]}"; do
    if [ "$(ember_jdk_major "$c" 2>/dev/null)" = "25" ]; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  cat >&2 <<'MSG'
Ember needs a JDK 25 and found none (looked at JAVA_HOME, /usr/lib/jvm, /usr/java, /opt,
/Library/Java/JavaVirtualMachines, ~/.sdkman and ~/.jdks).
Install one, then run this again (or set JAVA_HOME to it):
  Debian/Ubuntu: sudo apt-get install temurin-25-jdk   (Adoptium's apt repository) or openjdk-25-jdk
  Fedora/RHEL:   sudo dnf install java-25-openjdk-devel
  macOS:         brew install --cask temurin@25
  any system:    sdk install java 25-tem   (SDKMAN!)
MSG
  return 1
}
