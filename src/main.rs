fn main() -> std::process::ExitCode {
    fastlint::cli::main()
}
