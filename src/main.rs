use clap::Parser;

fn main() -> std::process::ExitCode {
    ismsbook::cli::run(ismsbook::cli::Cli::parse())
}
