import { Command } from 'commander';

/**
 * `otasuke sensor …`: the sensor's own commands. They are defined in @otasuke/sensor (which never
 * imports the server) and loaded only when used, so `otasuke server` does not load the sensor.
 */
export function sensorCommand(): Command {
  const sensor = new Command('sensor').description('the network sensor at a small business (capture, detection, uplink)');
  sensor.addHelpText('after', '\nSensor commands arrive with the sensor issues (read, rules check, enroll, run).');
  return sensor;
}
