//! `tiergate-commit-msg`: tiergate's commit-msg git hook (see the `tiergate_hooks` crate).

fn main() -> std::process::ExitCode {
    tiergate_hooks::main(tiergate_hooks::Hook::CommitMsg)
}
