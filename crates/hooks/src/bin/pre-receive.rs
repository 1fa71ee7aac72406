//! `tiergate-pre-receive`: tiergate's server-side git hook (see
//! `tiergate_hooks::server`).

fn main() -> std::process::ExitCode {
    tiergate_hooks::server::main()
}
