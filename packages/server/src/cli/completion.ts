import type { Command } from "commander";

/** The shells `tessera completion` writes a script for. */
export const COMPLETION_SHELLS = ["bash", "zsh"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** The names the command is installed under: the bin, and the package's name for `npx`. */
const COMMAND_NAMES = ["tessera", "tessera-auth"] as const;

/** One word a command line may hold at some position, with its help text. */
interface Word {
  readonly word: string;
  readonly description: string;
}

/** A command of the tree: where it sits, what may follow it, which options take a value. */
interface Node {
  /** The subcommand names leading here, space-separated ("" for the program). */
  readonly path: string;
  readonly words: readonly Word[];
  readonly valueOptions: readonly string[];
}

/** Every command of the tree, walked from `program`, so the script never drifts from it. */
function nodesOf(command: Command, path = ""): Node[] {
  const subcommands = command.commands.filter((sub) => sub.name() !== "help" || path === "");
  const options = command.options.filter((option) => !option.hidden);
  const words: Word[] = [
    ...subcommands.map((sub) => ({ word: sub.name(), description: sub.description() })),
    ...options.flatMap((option) =>
      [option.long, option.short]
        .filter((flag): flag is string => flag !== undefined)
        .map((flag) => ({ word: flag, description: option.description })),
    ),
    { word: "--help", description: "show help" },
  ];
  const valueOptions = options
    .filter((option) => option.required || option.optional)
    .flatMap((option) => [option.long, option.short])
    .filter((flag): flag is string => flag !== undefined);
  return [
    { path, words, valueOptions },
    ...subcommands.flatMap((sub) =>
      nodesOf(sub, path === "" ? sub.name() : `${path} ${sub.name()}`),
    ),
  ];
}

/** `text` as a single-quoted shell word. */
const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** The loop both shells share: the command path typed so far, skipping options and their values. */
function pathLoop(nodes: readonly Node[], words: string, from: string, to: string): string[] {
  const paths = nodes.filter((n) => n.path !== "").map((n) => quoted(n.path));
  const valueOptions = [...new Set(nodes.flatMap((n) => n.valueOptions))].map(quoted);
  return [
    `  local cmdpath="" word skip=0 i`,
    `  for (( i = ${from}; i < ${to}; i++ )); do`,
    `    word=${words}`,
    `    if (( skip )); then skip=0; continue; fi`,
    `    case "$word" in`,
    ...(valueOptions.length === 0 ? [] : [`      ${valueOptions.join("|")}) skip=1; continue ;;`]),
    `      -*) continue ;;`,
    `    esac`,
    // `tessera help user add`: what follows help completes as the commands themselves.
    `    if [ -z "$cmdpath" ] && [ "$word" = help ]; then continue; fi`,
    `    case "\${cmdpath:+$cmdpath }$word" in`,
    `      ${paths.join("|")}) cmdpath="\${cmdpath:+$cmdpath }$word" ;;`,
    `    esac`,
    `  done`,
  ];
}

function bashScript(program: Command): string {
  const nodes = nodesOf(program);
  const valueOptions = [...new Set(nodes.flatMap((n) => n.valueOptions))].map(quoted);
  return [
    "# bash completion for tessera, written by `tessera completion bash`.",
    "# Load it with: source <(tessera completion bash)",
    "_tessera() {",
    `  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" words=""`,
    ...pathLoop(nodes, `"\${COMP_WORDS[i]}"`, "1", "COMP_CWORD"),
    ...(valueOptions.length === 0
      ? []
      : [`  case "$prev" in`, `    ${valueOptions.join("|")}) COMPREPLY=(); return ;;`, `  esac`]),
    `  case "$cmdpath" in`,
    ...nodes.map(
      (n) => `    ${quoted(n.path)}) words=${quoted(n.words.map((w) => w.word).join(" "))} ;;`,
    ),
    `  esac`,
    `  COMPREPLY=( $(compgen -W "$words" -- "$cur") )`,
    "}",
    `complete -o default -F _tessera ${COMMAND_NAMES.join(" ")}`,
    "",
  ].join("\n");
}

/** `word:description` as zsh's `_describe` reads it (a colon in the word escaped). */
const described = (w: Word) =>
  quoted(`${w.word.replaceAll(":", "\\:")}:${w.description.replace(/\s+/g, " ")}`);

function zshScript(program: Command): string {
  const nodes = nodesOf(program);
  const valueOptions = [...new Set(nodes.flatMap((n) => n.valueOptions))].map(quoted);
  return [
    `#compdef ${COMMAND_NAMES.join(" ")}`,
    "# zsh completion for tessera, written by `tessera completion zsh`.",
    "# Load it with: source <(tessera completion zsh)",
    "_tessera() {",
    "  local -a entries",
    ...pathLoop(nodes, `"\${words[i]}"`, "2", "CURRENT"),
    ...(valueOptions.length === 0
      ? []
      : [
          `  case "\${words[CURRENT-1]}" in`,
          `    ${valueOptions.join("|")}) _files; return ;;`,
          `  esac`,
        ]),
    `  case "$cmdpath" in`,
    ...nodes.map((n) => `    ${quoted(n.path)}) entries=(${n.words.map(described).join(" ")}) ;;`),
    `  esac`,
    `  _describe -t commands 'tessera' entries || _files`,
    "}",
    `compdef _tessera ${COMMAND_NAMES.join(" ")}`,
    "",
  ].join("\n");
}

/**
 * A completion script for `shell`, generated from `program`'s tree of
 * commands and options: subcommands and options complete at every level,
 * and after an option that takes a value the shell completes file names.
 */
export function completionScript(program: Command, shell: CompletionShell): string {
  return shell === "bash" ? bashScript(program) : zshScript(program);
}
