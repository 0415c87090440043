#!/usr/bin/env node
/** @module The edgecourier command: parses the command line against the program (program.ts) and runs the command it names. */
import { buildProgram } from './program.ts';

await buildProgram().parseAsync(process.argv);
