# Shared by the scripts in this folder: run from the workspace root, find cargo's tools, print
# section headers that say how long each step took, and build the app one way for all of them.

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

# The dashboard as the officer runs it, with the UI embedded (the custom-protocol feature).
app_binary="${CARGO_TARGET_DIR:-$PWD/target}/debug/kyc-desk"

# Builds the UI into ui/dist, then the app around it. The whole workspace is built in one go, so
# that its dependencies get the same features as in `cargo test --workspace`: scripts/test then
# rebuilds only the crates the feature touches, and scripts/run after scripts/test nothing.
build_app() {
  npm --prefix ui run build
  cargo build --workspace --features kyc-desk/custom-protocol
}
