// mimalloc: hydration parses hundreds of Helm objects on every core;
// glibc's allocator spent a quarter of a warm run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = stackc::cli::Cli::parse();
    std::process::ExitCode::from(stackc::cli::run(cli) as u8)
}
