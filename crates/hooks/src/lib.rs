//! Shared entry code of tiergate's hook binaries (TODO).
