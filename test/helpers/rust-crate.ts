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

/** `src/lib.rs` of a member crate: `name(x)` returns `x + body`'s sum, with `tests::it_works` expecting `expected`. */
const memberLib = (name: string, body: string, call: string, expected: number) =>
  `pub fn ${name}(x: i32) -> i32 {\n    ${body}\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn it_works() {\n        assert_eq!(${expected}, ${call});\n    }\n}\n`;

/** add_one's `src/lib.rs`, with `body` for its function (`x + 1` is right). */
export const addOneLib = (body: string) => memberLib('add_one', body, 'add_one(2)', 3);

/**
 * The Rust Book's add workspace (ch. 14) with its add_two exercise: a virtual manifest, members
 * add_one and add_two, no dependencies. Both members' tests are named `tests::it_works`; add_one
 * adds two (its test fails on the base), and add_two's test expects 5 from `add_two(2)`: a failure
 * of its own on the base that no fix of add_one touches.
 */
export const BUGGY_ADD_WORKSPACE: Readonly<Record<string, string>> = {
  'Cargo.toml': '[workspace]\nresolver = "3"\nmembers = ["add_one", "add_two"]\n',
  '.gitignore': '/target\n',
  'add_one/Cargo.toml': '[package]\nname = "add_one"\nversion = "0.1.0"\nedition = "2024"\n',
  'add_one/src/lib.rs': addOneLib('x + 2'),
  'add_two/Cargo.toml': '[package]\nname = "add_two"\nversion = "0.1.0"\nedition = "2024"\n',
  'add_two/src/lib.rs': memberLib('add_two', 'x + 2', 'add_two(2)', 5),
};
