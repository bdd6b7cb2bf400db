/**
 * `otasuke`: one command for every deployable. The server commands live here; the sensor's come
 * from @otasuke/sensor so the sensor box needs nothing of the server.
 */
import { Command, CommanderError } from 'commander';
import { runCommand } from './runCommand.ts';
import { serverCommands } from './serverCommands.ts';
import { sensorCommand } from './sensorCommand.ts';

const program = new Command('otasuke')
  .description('Otasuke — サイバーセキュリティお助け隊 platform (sensor, monitoring server, console)')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

for (const command of serverCommands()) program.addCommand(command);
program.addCommand(sensorCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  runCommand.fail(err);
}
