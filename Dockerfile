# ismsbook in a container: `docker build -t ismsbook .`, then in a handbook's folder
#   docker run --rm -v "$PWD:/handbook" ismsbook check
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/handbook" ismsbook build   # public/ yours
# Targets: `runtime` (the default: ismsbook and git on Debian slim) and `pdf` (adds Chromium
# for `build --pdf`): `docker build --target pdf -t ismsbook:pdf .`

# --- builder: the release binary, with the dependencies cached in their own layer ---------
FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
# Dependencies first: editing the sources does not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
COPY policy-templates policy-templates
# Cargo.toml names a bench and a test target; their files are not needed to build the binary.
RUN mkdir -p src docs benches tests && touch benches/scale.rs tests/browser.rs \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs docs/rules.md \
    && cargo build --release --locked \
    && rm -rf src docs target/release/.fingerprint/ismsbook-* target/release/deps/ismsbook-* target/release/deps/libismsbook-*
COPY src src
COPY theme theme
COPY docs/rules.md docs/rules.md
RUN cargo build --release --locked && strip target/release/ismsbook

# --- runtime: ismsbook and git (history, --rev, changes, bundle, --changed-since) ---------
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    # A handbook mounted from the host belongs to another user: let git read it anyway.
    && git config --system --add safe.directory '*'
COPY --from=builder /src/target/release/ismsbook /usr/local/bin/ismsbook
WORKDIR /handbook
ENTRYPOINT ["ismsbook"]
CMD ["check"]

# --- pdf: runtime plus Debian's Chromium, for `ismsbook build --pdf` -----------------------
FROM runtime AS pdf
RUN apt-get update \
    && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The default target when none is named.
FROM runtime
