//! `tiergate-pre-push`: tiergate's pre-push git hook (see the `tiergate_hooks` crate).

fn main() -> std::process::ExitCode {
    tiergate_hooks::main(tiergate_hooks::Hook::PrePush)
}
