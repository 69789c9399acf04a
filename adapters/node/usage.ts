/**
 * `--help` for the commands that take their settings from the environment (npm start, npm run demo, npm run
 * dev:worker): commander prints the usage and the variables, and refuses an argument it does not know (exit 2)
 * before anything starts or is written. `passThrough`: the rest of the arguments belong to another tool.
 */
import { Command, CommanderError } from 'commander';

export function usageOrExit(
  o: { name: string; description: string; environment: readonly [string, string][]; passThrough?: string },
  argv = process.argv.slice(2),
): void {
  const program = new Command(o.name)
    .description(o.description)
    .usage(o.passThrough ? `[-- ${o.passThrough} arguments]` : '')
    .allowUnknownOption(Boolean(o.passThrough))
    .allowExcessArguments(Boolean(o.passThrough))
    .helpOption('-h, --help', 'show this help and exit')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(add --help for usage)');
  const width = Math.max(...o.environment.map(([k]) => k.length));
  program.addHelpText('after', `\nEnvironment:\n${o.environment.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  // With a pass-through tool, only a leading --help is ours.
  const ours = o.passThrough ? (argv[0] === '--help' || argv[0] === '-h' ? [argv[0]] : []) : argv;
  try {
    program.parse(ours, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.code === 'commander.helpDisplayed' ? 0 : 2);
    throw e;
  }
}
