import type { Command } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** One command of the tree: its path of names, subcommands and options with their descriptions. */
interface Node {
  path: string[];
  subcommands: { name: string; description: string }[];
  options: { flag: string; description: string }[];
}

/** Walks the commander tree, so the completions always match the commands omk really has. */
function nodes(program: Command): Node[] {
  const out: Node[] = [];
  const walk = (command: Command, path: string[]) => {
    const options = command.options.flatMap((option) =>
      [option.long, option.short]
        .filter((flag): flag is string => typeof flag === 'string')
        .map((flag) => ({ flag, description: option.description })),
    );
    options.push({ flag: '--help', description: 'display help' });
    out.push({
      path,
      subcommands: command.commands.map((sub) => ({ name: sub.name(), description: sub.description() })),
      options,
    });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bash(program: Command): string {
  const name = program.name();
  const all = nodes(program);
  const known = all.filter((node) => node.path.length > 0).map((node) => node.path.join(' '));
  const cases = all
    .map((node) => {
      const words = [...node.subcommands.map((sub) => sub.name), ...node.options.map((o) => o.flag)].join(
        ' ',
      );
      return `    ${quote(node.path.join(' '))}) words=${quote(words)} ;;`;
    })
    .join('\n');
  return `# ${name} completion for bash (and zsh through bashcompinit): eval "$(${name} completion bash)"
_${name}_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" next word words i
  local known=(${known.map(quote).join(' ')})
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    next="\${path:+$path }$word"
    for k in "\${known[@]}"; do
      if [[ "$k" == "$next" ]]; then path="$next"; break; fi
    done
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _${name}_complete ${name}
`;
}

function zsh(program: Command): string {
  return `# ${program.name()} completion for zsh: eval "$(${program.name()} completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(program).split('\n').slice(1).join('\n')}`;
}

function fish(program: Command): string {
  const name = program.name();
  const lines = [`# ${name} completion for fish: ${name} completion fish | source`, `complete -c ${name} -f`];
  for (const node of nodes(program)) {
    // fish sees the words typed so far; a node is current when its last name was typed and none of
    // its subcommands yet.
    const condition =
      node.path.length === 0
        ? '__fish_use_subcommand'
        : `__fish_seen_subcommand_from ${node.path.at(-1)}${
            node.subcommands.length > 0
              ? `; and not __fish_seen_subcommand_from ${node.subcommands.map((sub) => sub.name).join(' ')}`
              : ''
          }`;
    for (const sub of node.subcommands) {
      lines.push(`complete -c ${name} -n ${quote(condition)} -a ${sub.name} -d ${quote(sub.description)}`);
    }
    for (const option of node.options) {
      const flag = option.flag.startsWith('--') ? `-l ${option.flag.slice(2)}` : `-s ${option.flag.slice(1)}`;
      lines.push(`complete -c ${name} -n ${quote(condition)} ${flag} -d ${quote(option.description)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for a shell, generated from the program's own command tree. */
export function completionScript(program: Command, shell: Shell): string {
  switch (shell) {
    case 'bash':
      return bash(program);
    case 'zsh':
      return zsh(program);
    case 'fish':
      return fish(program);
  }
}
