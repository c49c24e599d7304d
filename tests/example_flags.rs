//! The examples' command-line check (`examples/support`): `--help` is recognised, a declared
//! flag with its value passes, and an unknown flag, a stray word or a flag missing its value is
//! an error that names it, so a typo cannot silently start a long default run.

#[path = "../examples/support/mod.rs"]
mod support;

use support::{Cli, check_flags};

fn args(line: &str) -> Vec<String> {
    line.split_whitespace().map(String::from).collect()
}

const VALUED: &[&str] = &["--steps", "--problem"];
const SWITCHES: &[&str] = &["--f32"];

#[test]
fn declared_flags_pass() {
    for line in [
        "",
        "--f32",
        "--steps 10",
        "--problem wave --f32 --steps -3",
        "--steps 1 --steps 2",
    ] {
        assert_eq!(
            check_flags(&args(line), VALUED, SWITCHES),
            Ok(Cli::Run),
            "{line}"
        );
    }
}

#[test]
fn help_is_recognised_anywhere_a_flag_may_stand() {
    for line in ["--help", "-h", "--steps 5 --help", "--f32 -h --bogus"] {
        assert_eq!(
            check_flags(&args(line), VALUED, SWITCHES),
            Ok(Cli::Help),
            "{line}"
        );
    }
    // As the value of a flag, `-h` is a value, not a request for help.
    assert_eq!(
        check_flags(&args("--problem -h"), VALUED, SWITCHES),
        Ok(Cli::Run)
    );
}

#[test]
fn unknown_arguments_are_errors_naming_them() {
    for (line, named) in [
        ("--stpes 10", "`--stpes`"),
        ("--f32 wave", "`wave`"),
        ("--steps 10 20", "`20`"),
        ("--F32", "`--F32`"),
    ] {
        let e = check_flags(&args(line), VALUED, SWITCHES).unwrap_err();
        assert!(e.contains(named), "{line}: {e}");
        assert!(
            e.contains("--steps --problem --f32"),
            "{line}: lists the flags: {e}"
        );
    }
    let e = check_flags(&args("--x"), &[], &[]).unwrap_err();
    assert!(e.contains("the flags are: none"), "{e}");
}

#[test]
fn a_flag_without_its_value_is_an_error() {
    for line in ["--steps", "--steps --f32", "--f32 --problem"] {
        let e = check_flags(&args(line), VALUED, SWITCHES).unwrap_err();
        assert!(e.ends_with("needs a value"), "{line}: {e}");
    }
}
