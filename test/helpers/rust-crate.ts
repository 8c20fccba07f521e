import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where cargo finds its toolchain when a test's omk runs with an environment of its own. */
export const RUST_ENV: Record<string, string> = {
  RUSTUP_HOME: process.env.RUSTUP_HOME ?? join(homedir(), '.rustup'),
  CARGO_HOME: process.env.CARGO_HOME ?? join(homedir(), '.cargo'),
};

/** `src/lib.rs` of the `calc` crate: `add` with `body`, and its inline test (2 + 3 = 5). */
export const calcLib = (body: string, head = '') =>
  `${head}pub fn add(a: i32, b: i32) -> i32 {\n    ${body}\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn adds() {\n        assert_eq!(add(2, 3), 5);\n    }\n}\n`;

/**
 * A crate with no dependencies (cargo never reaches the network) whose `add` subtracts:
 * `tests::adds` is committed and fails on the base.
 */
export const BUGGY_CALC: Readonly<Record<string, string>> = {
  'Cargo.toml': '[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n',
  '.gitignore': '/target\n',
  'src/lib.rs': calcLib('a - b'),
};
