import { Command } from 'commander';
import { readCommand } from '@otasuke/sensor/cli/readCommand';
import { enrollCommand } from '@otasuke/sensor/enroll/enrollCommand';
import { runCommand } from '@otasuke/sensor/agent/runCommand';
import { rulesCommand } from '@otasuke/sensor/detect/rules/rulesCheckCommand';

/**
 * `otasuke sensor …`: the sensor's own commands. They are defined in @otasuke/sensor (which never
 * imports the server) and each loads its implementation only when it runs, so `otasuke --help` and
 * `otasuke server` do not load the sensor's pipeline.
 */
export function sensorCommand(): Command {
  const sensor = new Command('sensor').description('the network sensor at a small business (capture, detection, uplink)');
  sensor.addCommand(readCommand());
  sensor.addCommand(enrollCommand());
  sensor.addCommand(runCommand());
  sensor.addCommand(rulesCommand());
  sensor.addHelpText('after', '\nFirst enroll (once), then run: otasuke sensor enroll --server URL --code CODE && otasuke sensor run');
  return sensor;
}
