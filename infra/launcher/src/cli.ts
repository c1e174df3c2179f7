// What every `npm run <command>` of the launcher does with its arguments before it starts anything long.

/**
 * `--help` (or `-h`) prints the usage and exits 0; an argument the command does not take prints the usage and
 * exits 2. Either way nothing has started: a newcomer asking for help must not get a 15-minute run.
 */
export function takeArguments(
  args: readonly string[],
  usage: string,
  accepts: (arg: string) => boolean = () => false,
): void {
  if (args.some((a) => a === '--help' || a === '-h')) {
    console.log(usage);
    process.exit(0);
  }
  const unknown = args.filter((a) => !accepts(a));
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.map((a) => `"${a}"`).join(', ')}\n\n${usage}`);
    process.exit(2);
  }
}
