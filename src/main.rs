fn main() -> std::process::ExitCode {
    let cli = stackc::cli::Cli::parse();
    std::process::ExitCode::from(stackc::cli::run(cli) as u8)
}
