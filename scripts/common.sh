# Shared by the scripts in this folder: run from the workspace root, find cargo's tools, and print
# section headers that say how long each step took.

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# cargo install puts tauri-driver here; a fresh shell may not have it on PATH yet.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

section_started=$SECONDS

section() {
  printf '\n\033[1m==> %s\033[0m\n' "$*"
  section_started=$SECONDS
}

section_done() {
  printf '    done in %ss\n' "$((SECONDS - section_started))"
}
