use clap::Parser;

fn main() -> std::process::ExitCode {
    ismsbook::cli::run(ismsbook::cli::Cli::parse())
}

/// mimalloc returns freed memory to the system more readily than glibc's allocator, which
/// keeps the peak of a 10,000-document build well down.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
