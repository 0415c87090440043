/** @module Activation records as `edgecourier logs` and `edgecourier activation` print them for people. */
import type { Activation } from '../api/activations.ts';

function outcomeOf(activation: Activation): string {
  if (!activation.error) return activation.outcome;
  // A thrown error's first line: its stack is for `edgecourier activation <id>`.
  return `${activation.outcome}: ${activation.error.message.split('\n', 1)[0]}`;
}

const logLines = (activation: Activation) => activation.logs.map((line) => `    ${line.level}: ${line.message}`);

/** One line saying what ran, when, for how long and how it ended, then its console output, indented. */
export function activationSummary(activation: Activation): string {
  const from = activation.parent ? `call from ${activation.parent}` : activation.trigger;
  const head = `${activation.start}  ${activation.function}  ${outcomeOf(activation)}  ${activation.durationMs.toFixed(1)} ms  ${from}  ${activation.id}`;
  return [head, ...logLines(activation)].join('\n');
}

/** Every field of the record, a line each, then the whole error and the console output. */
export function activationDetail(activation: Activation): string {
  const rows: Array<[string, string | undefined]> = [
    ['id', activation.id],
    ['app', activation.appId],
    ['function', activation.version ? `${activation.function} (version ${activation.version})` : activation.function],
    ['trigger', activation.trigger],
    ['caller', activation.caller],
    ['start', activation.start],
    ['duration', `${activation.durationMs.toFixed(3)} ms`],
    ['outcome', activation.outcome],
    ['served', activation.served],
    ['parent', activation.parent],
    ['children', activation.children.length > 0 ? activation.children.join(', ') : undefined],
    ['not recorded', activation.callsNotRecorded ? `${activation.callsNotRecorded} nested calls` : undefined],
  ];
  const lines = rows.filter(([, value]) => value !== undefined).map(([name, value]) => `${name.padEnd(12)} ${value}`);
  if (activation.error) lines.push('error:', ...activation.error.message.split('\n').map((line) => `    ${line}`));
  if (activation.logs.length > 0) lines.push('logs:', ...logLines(activation));
  return lines.join('\n');
}
